import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../../app/App";
import type { ScheduledJob } from "../../../bindings/jobs";
import type { Profile } from "../../../bindings/profiles";
import { backendError, type BackendHandlers, mockBackend, subscriptionStore } from "../../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, job, profile, validation } from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";
import { staleActivity } from "../../reclaim/candidates/CandidateReview";

const JOBS = [
  job({ id: 1, kind: "Subscriptions", name: "Refresh Acme Subscriptions" }),
  job({ id: 2, kind: "Events", name: "Refresh Acme Events", lastSucceededAt: "2026-11-28T02:00:00Z" }),
  job({ id: 3, kind: "Reclaim", name: "Reclaim Acme Subscriptions", schedule: "onDemand", nextRunAt: null }),
];

/** A published profile whose jobs pause and resume as the core does it. */
function renderJobs(overrides: Partial<Profile> = {}, handlers: BackendHandlers = {}) {
  let current = profile({ status: "Published", lastValidation: validation(), jobs: JOBS, ...overrides });
  const backend = mockBackend({
    list_profiles: () => [current],
    get_profile: () => current,
    default_activity_start: () => ACTIVITY_START,
    ...subscriptionStore([]),
    list_models: () => [],
    list_unrecognized_identifiers: () => [],
    list_job_results: () => [],
    list_exclusion_rules: () => ({ identifierRules: [], userRules: [] }),
    get_activity_settings: () => activitySettings({ activitySource: "events" }),
    set_job_active: ({ jobId, active }) => {
      const jobs: ScheduledJob[] = current.jobs.map((j) => (j.id === jobId ? { ...j, active } : j));
      current = { ...current, jobs };
      return jobs.find((j) => j.id === jobId)!;
    },
    ...handlers,
  });
  const view = renderWithProviders(<App />, { path: "/profiles/1" });
  return { ...view, backend };
}

async function openJobs(user: ReturnType<typeof renderJobs>["user"]) {
  await user.click(await screen.findByRole("tab", { name: "Scheduled Jobs" }));
  return screen.getByTestId("jobs-table");
}

describe("pausing scheduled jobs (Active)", () => {
  it("pauses and resumes a daily job at once, and offers no switch for the on-demand reclaim", async () => {
    const { user, backend } = renderJobs();
    const table = await openJobs(user);
    const subscriptions = within(table).getByRole("switch", { name: "Active: Refresh Acme Subscriptions" });
    expect(subscriptions).toBeChecked();
    expect(within(table).queryByRole("switch", { name: "Active: Reclaim Acme Subscriptions" })).toBeNull();
    const reclaimRow = within(table).getByText("Reclaim Acme Subscriptions").closest("tr")!;
    expect(within(reclaimRow).getAllByRole("cell")[4]).toHaveTextContent("—");

    await user.click(subscriptions);
    await waitFor(() => expect(backend.callsTo("set_job_active")).toEqual([{ jobId: 1, active: false }]));
    expect(screen.queryByRole("dialog")).toBeNull();
    await waitFor(() =>
      expect(within(screen.getByTestId("jobs-table")).getByRole("switch", { name: "Active: Refresh Acme Subscriptions" })).not.toBeChecked(),
    );
    expect(await screen.findByText(/no longer runs on its schedule. Run now still runs it./)).toBeInTheDocument();

    await user.click(within(screen.getByTestId("jobs-table")).getByRole("switch", { name: "Active: Refresh Acme Subscriptions" }));
    await waitFor(() => expect(backend.callsTo("set_job_active")).toHaveLength(2));
    expect(backend.callsTo("set_job_active")[1]).toEqual({ jobId: 1, active: true });
  });

  it("warns that activity grows stale before pausing the events job while Reclaim subscriptions is on", async () => {
    const { user, backend } = renderJobs();
    const table = await openJobs(user);
    await user.click(within(table).getByRole("switch", { name: "Active: Refresh Acme Events" }));
    const dialog = await screen.findByRole("dialog", { name: "Pause the events job?" });
    expect(dialog).toHaveTextContent("user activity is not downloaded and grows stale");
    expect(dialog).toHaveTextContent("Automatic reclaim waits until the job is active again.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("set_job_active")).toEqual([]);

    await user.click(within(screen.getByTestId("jobs-table")).getByRole("switch", { name: "Active: Refresh Acme Events" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Pause" }));
    await waitFor(() => expect(backend.callsTo("set_job_active")).toEqual([{ jobId: 2, active: false }]));
  });

  it("pauses the events job without asking when the profile only reports (Reclaim subscriptions cleared)", async () => {
    const { user, backend } = renderJobs({ reclaimSubscriptions: false });
    const table = await openJobs(user);
    await user.click(within(table).getByRole("switch", { name: "Active: Refresh Acme Events" }));
    await waitFor(() => expect(backend.callsTo("set_job_active")).toEqual([{ jobId: 2, active: false }]));
    expect(screen.queryByRole("dialog", { name: "Pause the events job?" })).toBeNull();
  });

  it("shows the core's refusal", async () => {
    const { user } = renderJobs(
      {},
      {
        set_job_active: () => {
          throw backendError("NotFound", "The scheduled job (id 1) no longer exists; its profile may have been deleted.");
        },
      },
    );
    const table = await openJobs(user);
    await user.click(within(table).getByRole("switch", { name: "Active: Refresh Acme Subscriptions" }));
    expect(await screen.findByText(/The scheduled job \(id 1\) no longer exists/)).toBeInTheDocument();
  });

  it("says the activity behind the candidates is stale while the events job is paused", () => {
    const acme = profile({ jobs: JOBS });
    expect(staleActivity([acme])).toBeNull();
    const paused = profile({ jobs: JOBS.map((j) => (j.kind === "Events" ? { ...j, active: false } : j)) });
    expect(staleActivity([acme, paused])).toMatch(
      /^Activity is stale: “Refresh Acme Events” \(last run .+\) is paused, so users who have been active since may be listed here as inactive\./,
    );
    // A paused refresh of subscriptions does not make activity stale.
    const subscriptionsPaused = profile({ jobs: JOBS.map((j) => (j.kind === "Subscriptions" ? { ...j, active: false } : j)) });
    expect(staleActivity([subscriptionsPaused])).toBeNull();
  });
});

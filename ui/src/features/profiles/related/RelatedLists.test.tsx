import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../../app/App";
import { formatDateTime } from "../../../lib/dates";
import {
  backendError,
  type BackendHandlers,
  emitBackendEvent,
  mockBackend,
  subscriptionStore,
} from "../../../lib/mockBackend";
import {
  ACTIVITY_START,
  activitySettings,
  job,
  jobResult,
  model,
  profile,
  subscription,
  unrecognized,
  userRule,
  validation,
} from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";

const PUBLISHED = profile({
  status: "Published",
  lastValidation: validation(),
  jobs: [
    job({
      id: 1,
      kind: "Subscriptions",
      name: "Refresh Acme Subscriptions",
      nextRunAt: "2026-11-30T02:00:00Z",
      timeOfDay: "03:15",
    }),
    job({ id: 2, kind: "Events", name: "Refresh Acme Events", nextRunAt: null, enabled: false }),
  ],
});

function renderProfile(p = PUBLISHED, handlers: BackendHandlers = {}) {
  const backend = mockBackend({
    list_profiles: () => [p],
    get_profile: () => p,
    default_activity_start: () => ACTIVITY_START,
    ...subscriptionStore([]),
    list_models: () => [],
    list_unrecognized_identifiers: () => [],
    list_job_results: () => [],
    list_exclusion_rules: () => ({ identifierRules: [], userRules: [] }),
    get_activity_settings: () => activitySettings({ activitySource: "events" }),
    ...handlers,
  });
  return { ...renderWithProviders(<App />, { path: "/profiles/1" }), backend };
}

describe("related lists", () => {
  it("has the procedure's seven lists, in its order, then Software Entitlements, then reclamation's", async () => {
    renderProfile();
    const tabs = await screen.findAllByRole("tab");
    expect(tabs.map((tab) => tab.textContent)).toEqual([
      "Software Models",
      "Unrecognized Subscription Identifiers",
      "Scheduled Jobs",
      "Scheduled Job Results",
      "Software Subscriptions",
      "Subscription Identifier Exclusion Rule",
      "Subscription User Exclusion Rule",
      "Software Entitlements",
      "Reclamation Rules",
      "Removal Candidates",
      "Protected Users",
      "Audit Log",
    ]);
  });

  it("lists the scheduled jobs: Name, Schedule, Next run, Enabled, Active, Run", async () => {
    const { user } = renderProfile();
    await user.click(await screen.findByRole("tab", { name: "Scheduled Jobs" }));
    const table = screen.getByTestId("jobs-table");
    const rows = within(table).getAllByRole("row");
    expect(
      within(rows[0]!)
        .getAllByRole("columnheader")
        .map((th) => th.textContent),
    ).toEqual(["Name", "Schedule", "Next run", "Enabled", "Active", "Run"]);
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole("cell")
        .map((td) => td.textContent);
    expect(cells(rows[1]!)).toEqual([
      "Refresh Acme Subscriptions",
      "Daily at 03:15",
      formatDateTime("2026-11-30T02:00:00Z"),
      "Yes",
      "",
      "Run now",
    ]);
    expect(cells(rows[2]!)).toEqual(["Refresh Acme Events", "Daily", "—", "No", "", "Run now"]);
    expect(within(table).getByRole("switch", { name: "Active: Refresh Acme Subscriptions" })).toBeChecked();
  });

  it("shows a job without a chosen time at the time of day of its next run, on this computer's clock", async () => {
    const nextRunAt = "2026-11-30T02:00:00Z";
    const local = new Date(nextRunAt);
    const hhmm = [local.getHours(), local.getMinutes()].map((n) => String(n).padStart(2, "0")).join(":");
    renderProfile(profile({ status: "Published", jobs: [job({ id: 1, nextRunAt, timeOfDay: null })] }));
    const table = await screen.findByTestId("jobs-table");
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(`Daily at ${hhmm}`);
  });

  it("changes the time of day of a job's daily run, with the backend's field error on a bad time", async () => {
    let current = PUBLISHED;
    const { user, backend } = renderProfile(PUBLISHED, {
      get_profile: () => current,
      set_job_time_of_day: ({ jobId, timeOfDay }) => {
        if (timeOfDay === "25:00") {
          throw backendError(
            "Validation",
            "“25:00” is not a time of day. Enter it as HH:MM on a 24-hour clock, for example 02:30.",
            "timeOfDay",
          );
        }
        // As the core stores it: HH:MM.
        const saved = {
          ...current.jobs[0]!,
          id: jobId,
          timeOfDay: timeOfDay.padStart(5, "0"),
          nextRunAt: "2026-11-30T06:45:00Z",
        };
        current = { ...current, jobs: [saved, current.jobs[1]!] };
        return saved;
      },
    });
    const table = await screen.findByTestId("jobs-table");
    await user.click(within(table).getByRole("button", { name: "Change time: Refresh Acme Subscriptions" }));
    const dialog = await screen.findByRole("dialog", { name: "When “Refresh Acme Subscriptions” runs" });
    const field = within(dialog).getByRole("textbox", { name: /Time of day/ });
    expect(field).toHaveValue("03:15");

    // Empty is refused here; what is a time of day is the backend's rule, shown on the field.
    await user.clear(field);
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText("Enter a time of day, for example 02:30.")).toBeInTheDocument();
    expect(backend.callsTo("set_job_time_of_day")).toEqual([]);
    await user.type(field, "25:00");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText(/“25:00” is not a time of day/)).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");

    await user.clear(field);
    await user.type(field, " 6:45 ");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("set_job_time_of_day").at(-1)).toEqual({ jobId: 1, timeOfDay: "6:45" });
    await waitFor(() => expect(within(table).getAllByRole("row")[1]).toHaveTextContent("Daily at 06:45"));
  });

  it("sorts the jobs by a column from its header", async () => {
    const { user } = renderProfile();
    const table = await screen.findByTestId("jobs-table");
    await user.click(within(table).getByRole("button", { name: "Name" }));
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("Refresh Acme Events");
    expect(within(table).getByRole("columnheader", { name: "Name" })).toHaveAttribute("aria-sort", "ascending");
  });

  it("explains, while Draft, which jobs publishing will create", async () => {
    renderProfile(profile());
    expect(await screen.findByTestId("jobs-empty")).toHaveTextContent(
      "Publishing the profile creates “Refresh Acme Subscriptions” and “Refresh Acme Events”, each running daily; " +
        "“Reconcile Acme Subscriptions”, running weekly; and “Reclaim Acme Subscriptions”, which runs when you " +
        "confirm a reclaim.",
    );
  });

  it("explains, without Download activity, that only the subscriptions are refreshed daily", async () => {
    renderProfile(profile({ downloadActivity: false }));
    const empty = await screen.findByTestId("jobs-empty");
    expect(empty).toHaveTextContent("Publishing the profile creates “Refresh Acme Subscriptions”, running daily;");
    expect(empty).not.toHaveTextContent("Events");
  });

  it("shows the weekly reconciliation's schedule and changes its time of day", async () => {
    const weekly = job({
      id: 3,
      kind: "Reconcile",
      name: "Reconcile Acme Subscriptions",
      schedule: "weekly",
      nextRunAt: "2026-12-05T04:00:00Z",
      timeOfDay: "04:00",
    });
    const reclaim = job({ id: 4, kind: "Reclaim", name: "Reclaim Acme Subscriptions", schedule: "onDemand", nextRunAt: null });
    let current = profile({ status: "Published", jobs: [weekly, reclaim] });
    const { user, backend } = renderProfile(current, {
      get_profile: () => current,
      set_job_time_of_day: ({ jobId, timeOfDay }) => {
        const saved = { ...weekly, id: jobId, timeOfDay, nextRunAt: "2026-12-06T05:30:00Z" };
        current = { ...current, jobs: [saved, reclaim] };
        return saved;
      },
    });
    const table = await screen.findByTestId("jobs-table");
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Reconcile Acme SubscriptionsWeekly at 04:00");
    expect(rows[2]).toHaveTextContent("Reclaim Acme SubscriptionsOn demand");
    // Only a job that runs by itself has a time of day.
    expect(within(rows[2]!).queryByRole("button", { name: /Change time/ })).not.toBeInTheDocument();

    await user.click(within(rows[1]!).getByRole("button", { name: "Change time: Reconcile Acme Subscriptions" }));
    const dialog = await screen.findByRole("dialog", { name: "When “Reconcile Acme Subscriptions” runs" });
    expect(within(dialog).getByText(/The job runs weekly at this time/)).toBeInTheDocument();
    const field = within(dialog).getByRole("textbox", { name: /Time of day/ });
    await user.clear(field);
    await user.type(field, "05:30");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("set_job_time_of_day")).toEqual([{ jobId: 3, timeOfDay: "05:30" }]);
    expect(await screen.findByText(/“Reconcile Acme Subscriptions” runs weekly at 05:30\./)).toBeInTheDocument();
    await waitFor(() => expect(within(table).getAllByRole("row")[1]).toHaveTextContent("Weekly at 05:30"));
  });

  it("says the other lists arrive with the first sync", async () => {
    const { user } = renderProfile();
    await user.click(await screen.findByRole("tab", { name: "Software Subscriptions" }));
    expect(screen.getByTestId("related-list-empty")).toHaveTextContent(
      "Available after the first refresh of Acme Subscriptions.",
    );
  });

  it("runs a job now, shows its progress from the events, and refetches when it finishes", async () => {
    let results = [jobResult({ id: 1, number: 1 })];
    let runs = 0;
    const { user, backend } = renderProfile(PUBLISHED, {
      list_job_results: () => results,
      run_job: () => {
        runs += 1;
        return null;
      },
      cancel_job: () => null,
    });
    await user.click(await screen.findByRole("button", { name: "Run now: Refresh Acme Subscriptions" }));
    expect(backend.callsTo("run_job")).toEqual([{ jobId: 1 }]);
    expect(runs).toBe(1);
    const progress = await screen.findByTestId("job-progress-1");
    expect(progress).toHaveTextContent("Starting…");

    await emitBackendEvent("job-progress", {
      jobId: 1,
      profileId: 1,
      progress: { phase: "users", pagesDone: 3, pagesTotal: 10, usersRead: 300, eventsRead: 0, candidatesDone: 0, candidatesTotal: 0 },
    });
    await waitFor(() => expect(progress).toHaveTextContent("Reading users · page 3 of 10 · 300 users read"));
    expect(within(progress).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "30");
    // Another profile's job is not this one's.
    await emitBackendEvent("job-progress", {
      jobId: 1,
      profileId: 2,
      progress: { phase: "events", pagesDone: 9, pagesTotal: null, usersRead: 0, eventsRead: 9000, candidatesDone: 0, candidatesTotal: 0 },
    });
    await emitBackendEvent("job-progress", {
      jobId: 1,
      profileId: 1,
      progress: { phase: "events", pagesDone: 2, pagesTotal: null, usersRead: 0, eventsRead: 4500, candidatesDone: 0, candidatesTotal: 0 },
    });
    await waitFor(() => expect(progress).toHaveTextContent("Reading events · 2 pages · 4,500 events read"));

    await user.click(within(progress).getByRole("button", { name: "Cancel: Refresh Acme Subscriptions" }));
    expect(backend.callsTo("cancel_job")).toEqual([{ jobId: 1 }]);
    expect(within(progress).getByRole("button", { name: "Cancel: Refresh Acme Subscriptions" })).toHaveTextContent(
      "Cancelling…",
    );

    const resultCalls = backend.callsTo("list_job_results").length;
    const profileCalls = backend.callsTo("get_profile").length;
    const listCalls = backend.callsTo("list_profiles").length;
    const finished = jobResult({ id: 2, number: 2, status: "cancelled", finishedAt: "2026-11-29T03:00:00Z" });
    results = [finished, ...results];
    await emitBackendEvent("job-finished", { jobId: 1, profileId: 1, result: finished });
    await waitFor(() => expect(screen.queryByTestId("job-progress-1")).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Run now: Refresh Acme Subscriptions" })).toBeInTheDocument();
    await waitFor(() => expect(backend.callsTo("list_job_results").length).toBeGreaterThan(resultCalls));
    expect(backend.callsTo("get_profile").length).toBeGreaterThan(profileCalls);
    await waitFor(() => expect(backend.callsTo("list_profiles").length).toBeGreaterThan(listCalls));

    await user.click(screen.getByRole("tab", { name: "Scheduled Job Results" }));
    const table = await screen.findByRole("table", { name: "Scheduled Job Results" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Cancelled");
    expect(rows[1]).toHaveTextContent("Refresh Acme Subscriptions");
  });

  it("shows a run the backend reports as running, with Cancel", async () => {
    renderProfile(PUBLISHED, { list_job_results: () => [jobResult({ jobId: 2, status: "running", finishedAt: null })] });
    const progress = await screen.findByTestId("job-progress-2");
    expect(progress).toHaveTextContent("Starting…");
    expect(within(progress).getByRole("button", { name: "Cancel: Refresh Acme Events" })).toBeEnabled();
  });

  it("maps an unrecognized identifier to a model", async () => {
    let unmapped = [unrecognized({ identifier: "SUPER_MEMBER", subscriptionCount: 3 })];
    const { user, backend } = renderProfile(PUBLISHED, {
      list_unrecognized_identifiers: () => unmapped,
      list_models: () => [model({ id: 1, name: "Smartsheet Member" }), model({ id: 2, name: "Smartsheet Guest", subscriptionIdentifier: "GUEST", paid: false })],
      map_identifier: () => {
        unmapped = [];
        return null;
      },
    });
    await user.click(await screen.findByRole("tab", { name: "Unrecognized Subscription Identifiers" }));
    await user.click(await screen.findByRole("button", { name: "Map SUPER_MEMBER to model" }));
    const dialog = await screen.findByRole("dialog", { name: "Map “SUPER_MEMBER” to a software model" });
    await user.click(within(dialog).getByRole("button", { name: "Map" }));
    expect(within(dialog).getByText("Choose the software model for this identifier.")).toBeInTheDocument();
    expect(backend.callsTo("map_identifier")).toEqual([]);

    await user.click(within(dialog).getByRole("textbox", { name: "Software model" }));
    await user.click(await screen.findByRole("option", { name: "Smartsheet Member (MEMBER)" }));
    await user.click(within(dialog).getByRole("button", { name: "Map" }));
    await waitFor(() =>
      expect(backend.callsTo("map_identifier")).toEqual([{ profileId: 1, identifier: "SUPER_MEMBER", modelId: 1 }]),
    );
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByTestId("related-list-empty")).toHaveTextContent("No unrecognized subscription identifiers");
  });

  it("maps an unrecognized identifier to a new software model, with the core's refusal on the Name field", async () => {
    let unmapped = [unrecognized({ identifier: "ENTERPRISE_SEAT", subscriptionCount: 4 })];
    const { user, backend } = renderProfile(PUBLISHED, {
      list_unrecognized_identifiers: () => unmapped,
      list_models: () => [model({ id: 1, name: "Smartsheet Member" })],
      create_model_for_identifier: ({ name }) => {
        if (name === "Smartsheet Member") {
          throw backendError("Validation", "This profile already has a model named “Smartsheet Member”.", "name");
        }
        unmapped = [];
        return 7;
      },
    });
    await user.click(await screen.findByRole("tab", { name: "Unrecognized Subscription Identifiers" }));
    await user.click(await screen.findByRole("button", { name: "Map ENTERPRISE_SEAT to model" }));
    const dialog = await screen.findByRole("dialog", { name: "Map “ENTERPRISE_SEAT” to a software model" });
    await user.click(within(dialog).getByRole("radio", { name: "A new model" }));
    await user.click(within(dialog).getByRole("button", { name: "Create and map" }));
    expect(within(dialog).getByText("Enter a name for the software model.")).toBeInTheDocument();
    expect(backend.callsTo("create_model_for_identifier")).toEqual([]);

    const name = within(dialog).getByRole("textbox", { name: "Name" });
    await user.type(name, "Smartsheet Member");
    await user.click(within(dialog).getByRole("button", { name: "Create and map" }));
    expect(await within(dialog).findByText("This profile already has a model named “Smartsheet Member”.")).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");

    await user.clear(name);
    await user.type(name, "  Smartsheet Enterprise Seat ");
    await user.click(within(dialog).getByRole("checkbox", { name: /Paid seat/ }));
    await user.click(within(dialog).getByRole("button", { name: "Create and map" }));
    await waitFor(() =>
      expect(backend.callsTo("create_model_for_identifier").at(-1)).toEqual({
        profileId: 1,
        identifier: "ENTERPRISE_SEAT",
        name: "Smartsheet Enterprise Seat",
        paid: true,
      }),
    );
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByText(/“ENTERPRISE_SEAT” is mapped to Smartsheet Enterprise Seat/)).toBeInTheDocument();
    expect(await screen.findByTestId("related-list-empty")).toHaveTextContent("No unrecognized subscription identifiers");
  });

  it("refuses a bad user exclusion pattern before sending it", async () => {
    const { user, backend } = renderProfile(PUBLISHED, { save_user_exclusion: () => userRule() });
    await user.click(await screen.findByRole("tab", { name: "Subscription User Exclusion Rule" }));
    await user.click(await screen.findByRole("button", { name: "New rule" }));
    const dialog = await screen.findByRole("dialog", { name: "New Subscription User Exclusion Rule" });
    await user.type(within(dialog).getByRole("textbox", { name: "Email or domain" }), "ann@example");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await within(dialog).findByText("“ann@example” is not a valid email address.")).toBeInTheDocument();
    expect(backend.callsTo("save_user_exclusion")).toEqual([]);
  });

  it("shows the backend's field error on a new user exclusion rule, then creates it", async () => {
    let rules = [userRule({ id: 1, pattern: "@contractors.example" })];
    const { user, backend } = renderProfile(PUBLISHED, {
      list_exclusion_rules: () => ({ identifierRules: [], userRules: rules }),
      save_user_exclusion: ({ rule }) => {
        if (rule.pattern.toLowerCase().endsWith("contractors.example")) {
          throw backendError(
            "Validation",
            "There is already an exclusion rule for “@contractors.example”. Edit that one instead.",
            "pattern",
          );
        }
        const saved = userRule({ id: 2, pattern: rule.pattern, kind: "email", active: rule.active });
        rules = [...rules, saved];
        return saved;
      },
    });
    await user.click(await screen.findByRole("tab", { name: "Subscription User Exclusion Rule" }));
    await screen.findByRole("table", { name: "Subscription User Exclusion Rule" });
    await user.click(screen.getByRole("button", { name: "New rule" }));
    const dialog = await screen.findByRole("dialog", { name: "New Subscription User Exclusion Rule" });
    const field = within(dialog).getByRole("textbox", { name: "Email or domain" });
    await user.type(field, "Contractors.example");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(
      await within(dialog).findByText("There is already an exclusion rule for “@contractors.example”. Edit that one instead."),
    ).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("save_user_exclusion")).toEqual([
      { profileId: 1, rule: { pattern: "Contractors.example", active: true } },
    ]);

    await user.clear(field);
    await user.type(field, "svc@example.com");
    await user.click(within(dialog).getByRole("switch", { name: /Active/ }));
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("save_user_exclusion").at(-1)).toEqual({
      profileId: 1,
      rule: { pattern: "svc@example.com", active: false },
    });
    const table = await screen.findByRole("table", { name: "Subscription User Exclusion Rule" });
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(3));
  });

  it("flags excluded subscriptions with the rule that excludes them", async () => {
    const { user } = renderProfile(PUBLISHED, {
      ...subscriptionStore([
        subscription({ id: 1, email: "ann@example.com" }),
        subscription({ id: 2, email: "bob@contractors.example", excluded: true, excludedBy: "user @contractors.example" }),
      ]),
    });
    await user.click(await screen.findByRole("tab", { name: "Software Subscriptions" }));
    const table = await screen.findByRole("table", { name: "Software Subscriptions" });
    const rows = within(table).getAllByRole("row");
    expect(within(rows[1]!).queryByTestId("excluded-badge")).not.toBeInTheDocument();
    const badge = within(rows[2]!).getByTestId("excluded-badge");
    await user.hover(badge);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("user @contractors.example");
  });
});

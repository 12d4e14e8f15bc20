import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../../app/App";
import { formatDateTime } from "../../../lib/dates";
import { mockBackend } from "../../../lib/mockBackend";
import { ACTIVITY_START, job, profile, validation } from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";

const PUBLISHED = profile({
  status: "Published",
  lastValidation: validation(),
  jobs: [
    job({ id: 1, kind: "Subscriptions", name: "Refresh Acme Subscriptions", nextRunAt: "2026-11-30T02:00:00Z" }),
    job({ id: 2, kind: "Events", name: "Refresh Acme Events", nextRunAt: null, enabled: false }),
  ],
});

function renderProfile(p = PUBLISHED) {
  mockBackend({ list_profiles: () => [p], get_profile: () => p, default_activity_start: () => ACTIVITY_START });
  return renderWithProviders(<App />, { path: "/profiles/1" });
}

describe("related lists", () => {
  it("has the procedure's seven lists, in its order", async () => {
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
    ]);
  });

  it("lists the scheduled jobs: Name, Schedule, Next run, Enabled", async () => {
    const { user } = renderProfile();
    await user.click(await screen.findByRole("tab", { name: "Scheduled Jobs" }));
    const table = screen.getByTestId("jobs-table");
    const rows = within(table).getAllByRole("row");
    expect(
      within(rows[0]!)
        .getAllByRole("columnheader")
        .map((th) => th.textContent),
    ).toEqual(["Name", "Schedule", "Next run", "Enabled"]);
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole("cell")
        .map((td) => td.textContent);
    expect(cells(rows[1]!)).toEqual([
      "Refresh Acme Subscriptions",
      "Daily",
      formatDateTime("2026-11-30T02:00:00Z"),
      "Yes",
    ]);
    expect(cells(rows[2]!)).toEqual(["Refresh Acme Events", "Daily", "—", "No"]);
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
      "Publishing the profile creates “Refresh Acme Subscriptions” and “Refresh Acme Events”",
    );
  });

  it("says the other lists arrive with the first sync", async () => {
    const { user } = renderProfile();
    await user.click(await screen.findByRole("tab", { name: "Software Subscriptions" }));
    expect(screen.getByTestId("related-list-empty")).toHaveTextContent(
      "Available after the first refresh of Acme Subscriptions.",
    );
  });
});

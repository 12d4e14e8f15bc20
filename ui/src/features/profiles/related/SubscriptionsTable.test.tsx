import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import Papa from "papaparse";
import { describe, expect, it, vi } from "vitest";

import type { SoftwareSubscription, SubscriptionPageRequest, UserActivityDetail } from "../../../bindings/sync";
import type { BackendHandlers } from "../../../lib/mockBackend";
import { ROW_HEIGHT } from "../../../components/DataTable";
import { backendError, mockBackend, subscriptionStore } from "../../../lib/mockBackend";
import { profile, subscription, userActivityDetail } from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";
import { SubscriptionsTable } from "./SubscriptionsTable";

vi.mock("../../../lib/download", () => ({ downloadTextFile: vi.fn() }));
const { downloadTextFile } = await import("../../../lib/download");

const PUBLISHED = profile({ status: "Published" });
const IDENTIFIERS = ["MEMBER", "GUEST", "CONTRIBUTOR"] as const;

/** `count` subscriptions of profile 1: every third a guest, every seventh external, … */
function many(count: number): SoftwareSubscription[] {
  return Array.from({ length: count }, (_, i) =>
    subscription({
      id: i + 1,
      userId: String(5000 + i),
      email: `user${String(i).padStart(5, "0")}@example.com`,
      name: i % 50 === 0 ? null : `User ${String(i).padStart(5, "0")}`,
      identifier: IDENTIFIERS[i % 3]!,
      modelName: i % 3 === 2 ? null : `Model ${i % 3}`,
      status: i % 10 === 0 ? "PENDING" : "ACTIVE",
      isInternal: i % 7 !== 0,
      activitySource: i % 5 === 0 ? null : "events",
      lastActivityAt: i % 5 === 0 ? null : `2026-11-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z`,
      excluded: i % 11 === 0,
      excludedBy: i % 11 === 0 ? "identifier GUEST" : null,
      isAdmin: i % 13 === 0,
      seatChangedAt: i % 4 === 0 ? "2026-11-20T08:00:00Z" : null,
      closedAt: i % 6 === 0 ? "2026-11-27T02:00:00Z" : null,
      inactiveDays: i % 6 === 0 ? null : i % 400,
      provisionalExpiresAt: i % 9 === 0 ? "2026-12-24T00:00:00Z" : null,
    }),
  );
}

function renderTable(rows: readonly SoftwareSubscription[], more: BackendHandlers = {}) {
  const backend = mockBackend({ ...subscriptionStore(rows), ...more });
  const requests = () => backend.callsTo("list_subscriptions_page").map((a) => a.request as SubscriptionPageRequest);
  return { ...renderWithProviders(<SubscriptionsTable profile={PUBLISHED} />), backend, requests };
}

const table = () => screen.getByRole("table", { name: "Software Subscriptions" });
/** The data rows in the DOM (not the header, the spacers or rows still loading). */
const bodyRows = () =>
  within(table())
    .getAllByRole("row")
    .slice(1)
    .filter((row) => row.hasAttribute("aria-rowindex") && !row.hasAttribute("data-loading"));
const emails = () => bodyRows().map((row) => within(row).getAllByRole("cell")[1]!.textContent);

describe("Software Subscriptions", () => {
  it("reads only the windows in view of 5,000 rows, and others as it scrolls", async () => {
    const { requests } = renderTable(many(5_000));
    expect(await screen.findByTestId("row-count")).toHaveTextContent(/^5,000 rows$/);
    expect(table()).toHaveAttribute("aria-rowcount", "5001");
    expect(emails()[0]).toBe("user00000@example.com");
    // What the sync has of each user: System Admin (user 0 is one), when the seat changed, until
    // when a provisional seat lasts.
    const first = within(bodyRows()[0]!);
    expect(first.getByText("System Admin")).toBeInTheDocument();
    expect(within(bodyRows()[1]!).queryByText("System Admin")).not.toBeInTheDocument();
    const headers = within(table()).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(expect.arrayContaining(["Admin", "Seat changed", "Provisional until"]));
    expect(bodyRows().length).toBeGreaterThan(5);
    expect(bodyRows().length).toBeLessThan(60);
    // The first window, and at most the one the read-ahead reaches: never the whole list.
    expect(requests().every((r) => r.limit <= 500 && r.profileId === 1)).toBe(true);
    expect(requests().map((r) => r.offset)).toEqual([0]);

    const viewport = screen.getByTestId("table-viewport");
    viewport.scrollTop = 3_000 * ROW_HEIGHT;
    fireEvent.scroll(viewport);
    await waitFor(() => expect(emails()).toContain("user03000@example.com"));
    expect(emails()).not.toContain("user00000@example.com");
    const offsets = requests().map((r) => r.offset);
    expect(offsets).toContain(3_000);
    expect(requests().every((r) => r.limit <= 500)).toBe(true);
    const rowsRead = requests().reduce((sum, r) => sum + r.limit, 0);
    expect(rowsRead).toBeLessThanOrEqual(1_000);
  });

  it("asks the core for each sort and direction from the headers", async () => {
    const { user, requests } = renderTable(many(300));
    await screen.findByText("user00000@example.com");
    const email = within(table()).getByRole("columnheader", { name: "Email" });
    expect(email).toHaveAttribute("aria-sort", "ascending");

    const model = within(table()).getByRole("columnheader", { name: "Model" });
    await user.click(within(model).getByRole("button", { name: "Model" }));
    await waitFor(() => expect(requests().at(-1)).toMatchObject({ sort: "model", descending: false, offset: 0 }));
    expect(model).toHaveAttribute("aria-sort", "ascending");
    expect(email).not.toHaveAttribute("aria-sort");
    // Unrecognized (no model) comes last.
    await waitFor(() => expect(emails()[0]).toBe("user00000@example.com"));

    await user.click(within(model).getByRole("button", { name: "Model" }));
    await waitFor(() => expect(requests().at(-1)).toMatchObject({ sort: "model", descending: true }));
    expect(model).toHaveAttribute("aria-sort", "descending");
    await waitFor(() => expect(emails()[0]).toBe("user00001@example.com"));

    const activity = within(table()).getByRole("columnheader", { name: "Last activity" });
    await user.click(within(activity).getByRole("button", { name: "Last activity" }));
    await waitFor(() => expect(requests().at(-1)).toMatchObject({ sort: "lastActivity", descending: false }));
  });

  it("sends the search and the filters to the core, and says how many of all match", async () => {
    const { user, requests } = renderTable(many(5_000));
    expect(await screen.findByTestId("row-count")).toHaveTextContent(/^5,000 rows$/);

    // The filters' selects come in the frame after the first rows.
    await user.click(await screen.findByRole("textbox", { name: "Identifier" }));
    // The options are the profile's identifiers (subscription_facets), not read from rows.
    expect((await screen.findAllByRole("option")).map((o) => o.textContent)).toEqual(["CONTRIBUTOR", "GUEST", "MEMBER"]);
    await user.click(screen.getByRole("option", { name: "GUEST" }));
    await waitFor(() => expect(screen.getByTestId("row-count")).toHaveTextContent(/^1,667 of 5,000 rows$/));
    expect(requests().at(-1)!.filter).toMatchObject({ identifier: "GUEST", search: "" });

    await user.click(screen.getByRole("textbox", { name: "Internal/External" }));
    await user.click(await screen.findByRole("option", { name: "External" }));
    await user.click(screen.getByRole("textbox", { name: "Activity source" }));
    await user.click(await screen.findByRole("option", { name: "None" }));
    await user.click(screen.getByRole("textbox", { name: "Excluded" }));
    await user.click(await screen.findByRole("option", { name: "No" }));
    await user.click(screen.getByRole("textbox", { name: "Status" }));
    await user.click(await screen.findByRole("option", { name: "Active" }));
    await user.type(screen.getByRole("textbox", { name: "Search" }), "USER00");
    const want = many(5_000).filter(
      (s, i) =>
        s.identifier === "GUEST" &&
        !s.isInternal &&
        s.activitySource === null &&
        !s.excluded &&
        s.status === "ACTIVE" &&
        i < 1_000,
    );
    await waitFor(() =>
      expect(screen.getByTestId("row-count")).toHaveTextContent(new RegExp(`^${want.length} of 5,000 rows$`)),
    );
    expect(requests().at(-1)).toMatchObject({
      offset: 0,
      filter: {
        search: "USER00",
        identifier: "GUEST",
        status: "ACTIVE",
        internal: false,
        activitySource: "none",
        excluded: false,
      },
    });
    // The search was sent once typed, not once a keystroke.
    expect(requests().filter((r) => r.filter.search !== "" && r.filter.search !== "USER00")).toEqual([]);
    expect(emails()).toEqual(want.map((s) => s.email));

    await user.type(screen.getByRole("textbox", { name: "Search" }), "no such user");
    expect(await screen.findByTestId("table-no-match")).toHaveTextContent("No rows match the search and filters.");
    await user.click(screen.getByRole("button", { name: "Clear search and filters" }));
    await waitFor(() => expect(screen.getByTestId("row-count")).toHaveTextContent(/^5,000 rows$/));
  });

  it("exports every row of the filtered, sorted list, read in windows", async () => {
    const rows = many(1_234);
    rows[4] = { ...rows[4]!, name: '=HYPERLINK("x")' };
    const { user, requests } = renderTable(rows);
    await screen.findByText("user00000@example.com");
    await user.click(await screen.findByRole("textbox", { name: "Excluded" }));
    await user.click(await screen.findByRole("option", { name: "No" }));
    const email = within(table()).getByRole("columnheader", { name: "Email" });
    await user.click(within(email).getByRole("button", { name: "Email" }));
    await waitFor(() => expect(requests().at(-1)).toMatchObject({ sort: "email", descending: true }));
    const before = requests().length;

    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloadTextFile).toHaveBeenCalledTimes(1));
    const exported = requests().slice(before);
    expect(exported.length).toBe(3);
    expect(exported.every((r) => r.limit === 500 && r.sort === "email" && r.descending && r.filter.excluded === false)).toBe(
      true,
    );
    expect(exported.map((r) => r.offset).sort((a, b) => a - b)).toEqual([0, 500, 1000]);

    const [fileName, csv] = vi.mocked(downloadTextFile).mock.calls[0]!;
    expect(fileName).toBe("Acme - Software Subscriptions.csv");
    const parsed = Papa.parse<string[]>(csv.trim()).data;
    expect(parsed[0]).toEqual([
      "User",
      "Email",
      "Identifier",
      "Model",
      "Status",
      "Internal/External",
      "Admin",
      "Seat changed",
      "Provisional until",
      "Last login",
      "Last activity",
      "Activity source",
      "Inactive days",
      "First seen",
      "Last seen",
      "Closed",
      "Excluded",
    ]);
    const want = rows.filter((s) => !s.excluded).sort((a, b) => (a.email < b.email ? 1 : -1));
    expect(parsed.length - 1).toBe(want.length);
    expect(parsed.slice(1).map((r) => r[1])).toEqual(want.map((s) => s.email));
    expect(parsed[1]).toEqual([
      want[0]!.name ?? "",
      want[0]!.email,
      want[0]!.identifier,
      want[0]!.modelName ?? "",
      "Active",
      want[0]!.isInternal ? "Internal" : "External",
      want[0]!.isAdmin ? "Yes" : "No",
      want[0]!.seatChangedAt ?? "",
      want[0]!.provisionalExpiresAt ?? "",
      want[0]!.lastLogin,
      want[0]!.lastActivityAt ?? "",
      want[0]!.activitySource ? "Events" : "",
      String(want[0]!.inactiveDays),
      want[0]!.firstSeen,
      want[0]!.lastSeen,
      "",
      "No",
    ]);
    // A closed subscription has no inactive days.
    const inactive = parsed[0]!.indexOf("Inactive days");
    expect(parsed.find((r) => r[1] === "user00006@example.com")![inactive]).toBe("");
    expect(parsed.find((r) => r[1] === "user00007@example.com")![inactive]).toBe("7");
    // A name that would run as a formula is text.
    expect(parsed.find((r) => r[1] === "user00004@example.com")![0]).toBe("'=HYPERLINK(\"x\")");
  });

  it("shows each user's inactive days, a dash when closed, and does not sort by them", async () => {
    renderTable([
      subscription({ id: 1, email: "ann@example.com", inactiveDays: 42 }),
      subscription({ id: 2, email: "bob@example.com", name: "Bob", inactiveDays: null, closedAt: "2026-11-27T02:00:00Z" }),
    ]);
    await screen.findByText("ann@example.com");
    const header = within(table()).getByRole("columnheader", { name: "Inactive days" });
    expect(within(header).queryByRole("button")).not.toBeInTheDocument();
    const column = within(table()).getAllByRole("columnheader").indexOf(header);
    const cells = bodyRows().map((row) => within(row).getAllByRole("cell")[column]!);
    expect(cells.map((c) => c.textContent)).toEqual(["42", "—"]);
    expect(cells[0]).toHaveStyle({ textAlign: "right" });
  });

  it("opens a user's activity from their name: per-day counts and last events by type", async () => {
    const rows = [subscription({ id: 7, name: "Ann Example" }), subscription({ id: 8, email: "bob@example.com", name: "Bob" })];
    const detail = userActivityDetail({ subscription: { ...rows[0]!, inactiveDays: 4 } });
    const { user, backend } = renderTable(rows, { user_activity_detail: () => detail });
    await user.click(await screen.findByRole("button", { name: "Activity of Ann Example" }));

    const drawer = await screen.findByRole("dialog", { name: "Ann Example" });
    await within(drawer).findByTestId("user-activity");
    expect(backend.callsTo("user_activity_detail")).toEqual([{ profileId: 1, subscriptionId: 7 }]);
    const facts = within(drawer).getByTestId("user-facts");
    expect(within(facts).getByRole("row", { name: /Email/ })).toHaveTextContent("ann@example.com");
    expect(within(facts).getByRole("row", { name: /Seat/ })).toHaveTextContent("MEMBER · Smartsheet Member");
    expect(within(facts).getByRole("row", { name: /Last activity/ })).toHaveTextContent("(Events)");
    expect(within(facts).getByRole("row", { name: /Inactive days/ })).toHaveTextContent("4");
    // The counts per day, newest first, also as a table (the chart is an image for screen readers).
    expect(within(drawer).getByRole("img", { name: "1,265 events on 3 days since 2026-09-30" })).toBeInTheDocument();
    const daily = within(drawer).getByRole("table", { name: "Events per day" });
    expect(within(daily).getAllByRole("row").slice(1).map((r) => r.textContent)).toEqual([
      "2026-11-251,250",
      "2026-11-2412",
      "2026-11-203",
    ]);
    const kinds = within(drawer).getByRole("table", { name: "Last events by type" });
    const kindRows = within(kinds).getAllByRole("row").map((r) => within(r).queryAllByRole("cell").map((c) => c.textContent));
    expect(kindRows.slice(1)).toEqual([
      ["Sheet", "Load", expect.stringMatching(/^2026-11-2\d \d\d:00$/), "1,200"],
      ["Update request", "Create", expect.stringMatching(/^2026-11-2\d \d\d:30$/), "65"],
    ]);
  });

  it("opens the activity with Enter on the focused name", async () => {
    const { user, backend } = renderTable([subscription({ id: 9, name: "Ann Example" })], {
      user_activity_detail: () => userActivityDetail(),
    });
    const name = await screen.findByRole("button", { name: "Activity of Ann Example" });
    name.focus();
    expect(name).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("dialog", { name: "Ann Example" })).toBeInTheDocument();
    await waitFor(() => expect(backend.callsTo("user_activity_detail")).toEqual([{ profileId: 1, subscriptionId: 9 }]));
  });

  it("shows the core's NotFound in the panel, with a retry", async () => {
    const message = "Subscription 9 is not one of this profile's (any more). Refresh the list of subscriptions.";
    const { user, backend } = renderTable([subscription({ id: 9 })], {
      user_activity_detail: () => {
        throw backendError("NotFound", message);
      },
    });
    await user.click(await screen.findByRole("button", { name: "Activity of Ann Example" }));
    const drawer = await screen.findByRole("dialog", { name: "Ann Example" });
    const alert = await within(drawer).findByRole("alert");
    expect(alert).toHaveTextContent(message);
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(backend.callsTo("user_activity_detail")).toHaveLength(2));
  });

  it("says when no events were counted, and when the kinds come with the next refresh", async () => {
    let detail: UserActivityDetail = userActivityDetail({ daily: [], kinds: [] });
    const { user } = renderTable([subscription({ id: 3 }), subscription({ id: 4, email: "bob@example.com", name: "Bob" })], {
      user_activity_detail: () => detail,
    });
    await user.click(await screen.findByRole("button", { name: "Activity of Ann Example" }));
    let drawer = await screen.findByRole("dialog", { name: "Ann Example" });
    expect(await within(drawer).findByTestId("no-daily")).toHaveTextContent(
      "No events counted for this user since 2026-09-30.",
    );
    expect(within(drawer).queryByTestId("kinds-later")).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    // Daily counts from before the kinds were kept.
    detail = userActivityDetail({ kinds: [] });
    await user.click(screen.getByRole("button", { name: "Activity of Bob" }));
    drawer = await screen.findByRole("dialog", { name: "Bob" });
    expect(await within(drawer).findByTestId("kinds-later")).toHaveTextContent(
      "Last events by type are kept from the next Events refresh on.",
    );
    expect(within(drawer).getByRole("table", { name: "Events per day" })).toBeInTheDocument();
  });

  it("says when nothing was downloaded yet", async () => {
    renderTable([]);
    expect(await screen.findByTestId("related-list-empty")).toHaveTextContent("No Software Subscriptions yet");
  });

  it("shows the core's error, with a retry", async () => {
    mockBackend({
      list_subscriptions_page: () => {
        throw backendError("Internal", "The database is locked.");
      },
      subscription_facets: () => ({ total: 0, identifiers: [], statuses: [] }),
    });
    renderWithProviders(<SubscriptionsTable profile={PUBLISHED} />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The database is locked.");
    expect(within(alert).getByRole("button", { name: /try again|retry/i })).toBeInTheDocument();
  });
});

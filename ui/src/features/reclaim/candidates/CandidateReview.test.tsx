import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import Papa from "papaparse";
import { describe, expect, it, vi } from "vitest";

import { App } from "../../../app/App";
import type { Profile } from "../../../bindings/profiles";
import type { CandidatePageRequest, ReclamationRule, RemovalCandidate } from "../../../bindings/reclaim";
import { backendError, type BackendHandlers, emitBackendEvent, mockBackend, reclaimStore } from "../../../lib/mockBackend";
import {
  job,
  jobResult,
  manyCandidates,
  profile,
  reclamationRule,
  removalCandidate,
  validation,
} from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";
import { CandidateReview, type ReclaimSelection, REPORT_ONLY_REASON } from "./CandidateReview";
import { CANDIDATE_ROW_HEIGHT } from "./CandidateTable";

vi.mock("../../../lib/download", () => ({ downloadTextFile: vi.fn() }));
const { downloadTextFile } = await import("../../../lib/download");

const ACME = profile({ status: "Published", lastValidation: validation() });
const MEMBER = reclamationRule({ id: 1, modelId: 1 });
/** A second paid model, without a cost and with Notify user off. */
const LEGACY = reclamationRule({ id: 2, modelId: 2, modelName: "Licensed", monthlyCost: null });

interface Setup {
  profiles?: Profile[];
  rules?: ReclamationRule[];
  candidates?: RemovalCandidate[];
  handlers?: BackendHandlers;
  /** Render the profile's related list instead of the screen across profiles. */
  related?: Profile;
  onReclaim?: (ids: number[], selection: ReclaimSelection) => void;
  /** The screen the app opens on (the Removal Candidates). */
  path?: string;
}

function setup({
  profiles = [ACME],
  rules = [MEMBER, LEGACY],
  candidates = [],
  handlers = {},
  related,
  onReclaim,
  path = "/candidates",
}: Setup) {
  const store = reclaimStore({ profiles, rules, candidates, compute: { opened: 3, updated: 1, canceled: 2, skipped: 0, noAnswer: 1 } });
  const backend = mockBackend({
    list_profiles: () => profiles,
    ...store.handlers,
    "plugin:opener|open_url": () => null,
    ...handlers,
  });
  const view = related
    ? renderWithProviders(<CandidateReview profile={related} onReclaim={onReclaim} />)
    : renderWithProviders(<App />, { path });
  return { ...view, backend, store };
}

/** Three of Acme's candidates: Ann and Bob on the Member model, Dan on Licensed. */
const THREE = [
  removalCandidate({ id: 1, email: "ann@example.com", name: "Ann Example", inactiveDays: 300 }),
  removalCandidate({ id: 2, email: "bob@example.com", name: "Bob Builder", inactiveDays: 200 }),
  removalCandidate({ id: 3, email: "dan@example.com", name: "Dan Dormant", modelId: 2, modelName: "Licensed", inactiveDays: 100, justification: "neverUsed", lastActivityAt: null, activitySource: "none" }),
];

const table = () => screen.getByRole("table", { name: "Removal Candidates" });
const bodyRows = () => within(table()).getAllByRole("row").slice(1).filter((row) => !row.getAttribute("aria-hidden"));
// The User cell's first line (TwoLines: the name over the e-mail).
const userNames = () =>
  bodyRows().map((row) => within(row).getAllByRole("cell")[1]!.querySelector(".sk-two-lines > div")?.textContent);
const rowOf = (name: string) => bodyRows().find((row) => row.textContent?.includes(name))!;
const stateOf = (name: string) => within(rowOf(name)).getByTestId("state-badge").textContent;
const requests = (backend: ReturnType<typeof setup>["backend"]) =>
  backend.callsTo("list_candidates").map((args) => args.request as CandidatePageRequest);
const select = async (user: ReturnType<typeof setup>["user"], ...names: string[]) => {
  for (const name of names) await user.click(screen.getByRole("checkbox", { name: `Select ${name}` }));
};
const action = (name: string) => within(screen.getByTestId("selection-bar")).getByRole("button", { name });

describe("Removal Candidates", () => {
  it("reads the list in windows: 5,000 candidates, never all of them", async () => {
    const { backend } = setup({ candidates: manyCandidates(5000) });
    expect(screen.getByRole("link", { name: "Removal Candidates" })).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(userNames()[0]).toBe("User 00000"));
    expect(table()).toHaveAttribute("aria-rowcount", "5001");
    expect(screen.getByTestId("candidate-count")).toHaveTextContent("5,000 candidates match");
    expect(bodyRows().length).toBeLessThan(60);
    // One window of 200, from the top, most inactive first.
    expect(requests(backend)).toEqual([
      {
        filter: { profileId: null, modelId: null, states: ["ready", "awaitingUser", "awaitingApproval", "awaitingRevocation", "attentionRequired"], justification: null, minInactiveDays: null, search: "" },
        sort: "inactiveDays",
        descending: true,
        offset: 0,
        limit: 200,
      },
    ]);

    const viewport = screen.getByTestId("candidates-viewport");
    viewport.scrollTop = 3000 * CANDIDATE_ROW_HEIGHT;
    fireEvent.scroll(viewport);
    await waitFor(() => expect(userNames()).toContain("User 03000"));
    expect(userNames()).not.toContain("User 00000");
    const offsets = [...new Set(requests(backend).map((r) => r.offset))].sort((a, b) => a - b);
    // The windows around row 3,000 (and the first, kept for the dry run); nothing in between.
    expect(offsets[0]).toBe(0);
    expect(offsets.slice(1).every((o) => o >= 2800 && o <= 3000)).toBe(true);
    expect(requests(backend).every((r) => r.limit === 200)).toBe(true);
    const rowsAskedFor = requests(backend).reduce((sum, r) => sum + r.limit, 0);
    expect(rowsAskedFor).toBeLessThanOrEqual(800);
    expect(backend.callsTo("candidate_ids")).toEqual([]);
  });

  it("starts reading its first rows when the pointer comes to its link, and the screen uses that read", async () => {
    const { backend, user } = setup({ candidates: THREE, path: "/reclamation-rules" });
    await screen.findByRole("heading", { name: "Reclamation Rules" });
    expect(requests(backend)).toEqual([]);
    const link = screen.getByRole("link", { name: "Removal Candidates" });
    fireEvent.pointerEnter(link);
    await waitFor(() => expect(requests(backend)).toHaveLength(1));
    expect(requests(backend)[0]).toMatchObject({
      filter: { profileId: null, states: ["ready", "awaitingUser", "awaitingApproval", "awaitingRevocation", "attentionRequired"] },
      sort: "inactiveDays",
      descending: true,
      offset: 0,
    });
    await user.click(link);
    await waitFor(() => expect(userNames()).toEqual(["Ann Example", "Bob Builder", "Dan Dormant"]));
    // The screen's first window is the one already read: its query is the same.
    expect(requests(backend).filter((r) => r.offset === 0)).toHaveLength(1);
  });

  it("sends every filter and the sort to the core", async () => {
    const { user, backend } = setup({ candidates: THREE });
    await waitFor(() => expect(userNames()).toEqual(["Ann Example", "Bob Builder", "Dan Dormant"]));

    await user.click(screen.getByRole("textbox", { name: "Software model" }));
    await user.click(await screen.findByRole("option", { name: "Smartsheet Member" }));
    await user.click(screen.getByRole("radio", { name: "Never used" }));
    await user.type(screen.getByRole("textbox", { name: "Minimum inactive days" }), "90");
    await user.click(screen.getByRole("checkbox", { name: "Awaiting Revocation" }));
    await user.click(screen.getByRole("checkbox", { name: "Closed Skipped" }));
    await user.type(screen.getByRole("textbox", { name: "Search user" }), " Ann ");

    const expected = {
      profileId: null,
      modelId: 1,
      states: ["ready", "awaitingUser", "awaitingApproval", "attentionRequired", "closedSkipped"],
      justification: "neverUsed",
      minInactiveDays: 90,
      search: "Ann",
    };
    await waitFor(() => expect(requests(backend).at(-1)?.filter).toEqual(expected));
    await waitFor(() => expect(backend.callsTo("candidate_savings").at(-1)).toEqual({ filter: expected, ids: null }));
    // Ann is Low Usage: nothing matches, and the screen says which way out.
    expect(await screen.findByText("No candidates match the filters")).toBeInTheDocument();

    await user.click(screen.getAllByRole("button", { name: "Reset filters" })[0]!);
    await waitFor(() => expect(userNames()).toHaveLength(3));
    const header = () => within(table()).getByRole("columnheader", { name: "User" });
    await user.click(within(header()).getByRole("button", { name: "User" }));
    await waitFor(() => expect(requests(backend).at(-1)).toMatchObject({ sort: "user", descending: false, offset: 0 }));
    expect(header()).toHaveAttribute("aria-sort", "ascending");
    await user.click(within(header()).getByRole("button", { name: "User" }));
    await waitFor(() => expect(requests(backend).at(-1)).toMatchObject({ sort: "user", descending: true }));
    await waitFor(() => expect(userNames()).toEqual(["Dan Dormant", "Bob Builder", "Ann Example"]));
  });

  it("selects all that match, and the dry run counts seats, users and savings", async () => {
    const candidates = [
      ...manyCandidates(4990),
      ...manyCandidates(10).map((c, i) => ({ ...c, id: 5000 + i, modelId: 2, modelName: "Licensed", name: `Legacy ${i}`, inactiveDays: 1 })),
    ];
    const { user, backend } = setup({ candidates });
    const filterCard = await screen.findByTestId("dry-run-filter");
    await waitFor(() => expect(within(filterCard).getByTestId("summary-seats")).toHaveTextContent("5,000 seats"));
    expect(within(filterCard).getByTestId("summary-users")).toHaveTextContent(
      "User 00000, User 00001, User 00002 and 4,997 more",
    );
    // 4,990 seats at $25.00; 10 without a cost.
    expect(within(filterCard).getByTestId("summary-savings")).toHaveTextContent(
      "Savings: $124,750.00 per month · $1,497,000.00 per year",
    );
    expect(within(filterCard).getByTestId("summary-no-cost")).toHaveTextContent(
      "10 seats without a cost: set Cost per seat per month on their model's reclamation rule",
    );
    const selectionCard = screen.getByTestId("dry-run-selection");
    expect(selectionCard).toHaveTextContent("No candidate selected");

    await user.click(screen.getByRole("button", { name: "Select all 5,000 that match" }));
    await waitFor(() => expect(screen.getByTestId("selected-count")).toHaveTextContent("5,000 selected"));
    expect(backend.callsTo("candidate_ids")).toHaveLength(1);
    await waitFor(() => expect(within(selectionCard).getByTestId("summary-seats")).toHaveTextContent("5,000 seats"));
    expect(within(selectionCard).getByTestId("summary-users")).toHaveTextContent("User 00000, User 00001, User 00002 and 4,997 more");
    expect(within(selectionCard).getByTestId("summary-savings")).toHaveTextContent("$124,750.00 per month · $1,497,000.00 per year");
    const ids = backend.callsTo("candidate_savings").at(-1)!.ids as number[];
    expect(ids).toHaveLength(5000);
    expect(screen.getByRole("checkbox", { name: "Select User 00000" })).toBeChecked();

    await user.click(screen.getByRole("button", { name: "Clear selection" }));
    expect(screen.getByTestId("selected-count")).toHaveTextContent("0 selected");
    await select(user, "User 00001", "User 00003");
    await waitFor(() => expect(within(selectionCard).getByTestId("summary-seats")).toHaveTextContent("2 seats"));
    expect(within(selectionCard).getByTestId("summary-users")).toHaveTextContent(/^User 00001, User 00003$/);
    expect(within(selectionCard).getByTestId("summary-savings")).toHaveTextContent("$50.00 per month · $600.00 per year");
    expect(backend.callsTo("candidate_savings").at(-1)!.ids).toEqual([2, 4]);
    // The filter's summary is still there.
    expect(within(filterCard).getByTestId("summary-seats")).toHaveTextContent("5,000 seats");
  });

  it("skips only with a reason, and the skipped rows leave the open list", async () => {
    const { user, backend, store } = setup({ candidates: THREE });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(action("Skip")).toBeDisabled();
    await select(user, "Ann Example", "Bob Builder");
    await user.click(action("Skip"));
    const dialog = await screen.findByRole("dialog", { name: "Skip candidates" });
    expect(within(dialog).getByTestId("dialog-users")).toHaveTextContent("Ann Example (ann@example.com)");
    expect(within(dialog).getByTestId("dialog-users")).toHaveTextContent("Bob Builder (bob@example.com)");

    await user.click(within(dialog).getByRole("button", { name: "Skip 2 candidates" }));
    expect(await within(dialog).findByText("Say why these seats are kept (for example “needed for the Q3 audit”).")).toBeInTheDocument();
    await user.type(within(dialog).getByRole("textbox", { name: /Reason/ }), "   ");
    await user.click(within(dialog).getByRole("button", { name: "Skip 2 candidates" }));
    expect(backend.callsTo("skip_candidates")).toEqual([]);

    await user.type(within(dialog).getByRole("textbox", { name: /Reason/ }), "Needed for the Q3 audit");
    await user.click(within(dialog).getByRole("button", { name: "Skip 2 candidates" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("skip_candidates")).toEqual([{ ids: [1, 2], reason: "Needed for the Q3 audit" }]);
    expect(store.candidate(1)).toMatchObject({ state: "closedSkipped", note: "Skipped: Needed for the Q3 audit" });
    await waitFor(() => expect(userNames()).toEqual(["Dan Dormant"]));
    expect(screen.getByTestId("selected-count")).toHaveTextContent("0 selected");

    // Closed Skipped is a state of its own: shown when asked for.
    await user.click(screen.getByRole("checkbox", { name: "Closed Skipped" }));
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(stateOf("Ann Example")).toBe("Closed Skipped");
  });

  it("shows the core's refusal, and changes nothing", async () => {
    const { user } = setup({
      candidates: THREE,
      handlers: {
        skip_candidates: () => {
          throw backendError("Conflict", "Candidate 2: A candidate that is Closed Canceled cannot be changed.");
        },
      },
    });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    await select(user, "Bob Builder");
    await user.click(action("Skip"));
    const dialog = await screen.findByRole("dialog", { name: "Skip candidates" });
    await user.type(within(dialog).getByRole("textbox", { name: /Reason/ }), "Keep");
    await user.click(within(dialog).getByRole("button", { name: "Skip 1 candidate" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Candidate 2: A candidate that is Closed Canceled cannot be changed.",
    );
  });

  it("walks the notify loop: message, CSV and mailto, notified → Awaiting User → Awaiting Approval → Ready", async () => {
    const notifying = reclamationRule({ id: 1, modelId: 1, notifyUser: true, daysBeforeAutoReclamation: 14 });
    const { user, backend, store } = setup({ candidates: THREE, rules: [notifying, LEGACY] });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    await select(user, "Ann Example", "Bob Builder", "Dan Dormant");
    await user.click(action("Notify user"));
    const dialog = await screen.findByRole("dialog", { name: "Notify user" });
    expect(within(dialog).getByTestId("left-out")).toHaveTextContent(
      "1 selected candidate is left as it is: 1 with Notify user off on their rule.",
    );
    const users = within(dialog).getByTestId("dialog-users");
    expect(users).toHaveTextContent("Ann Example (ann@example.com)");
    expect(users).not.toHaveTextContent("Dan");
    const message = within(dialog).getByRole("textbox", { name: "Message" });
    await waitFor(() => expect((message as HTMLTextAreaElement).value).toContain("within 14 days"));
    expect(within(dialog).getByRole("textbox", { name: "Subject" })).toHaveValue(
      "Your Smartsheet license: do you still need it?",
    );

    await user.click(within(dialog).getByRole("button", { name: "Copy message" }));
    const copied = await navigator.clipboard.readText();
    expect(copied.startsWith("Subject: Your Smartsheet license: do you still need it?\n\nHello,\n")).toBe(true);
    expect(copied).toContain("within 14 days");

    await user.click(within(dialog).getByRole("button", { name: "Export CSV" }));
    const [fileName, csv] = vi.mocked(downloadTextFile).mock.calls.at(-1)!;
    expect(fileName).toBe("Users to notify.csv");
    const parsed = Papa.parse<string[]>(csv).data;
    expect(parsed[0]).toEqual(["Email", "Name", "Software model", "Profile", "Inactive days", "Last activity", "Subject", "Message"]);
    expect(parsed).toHaveLength(3);
    expect(parsed[1]!.slice(0, 7)).toEqual([
      "ann@example.com",
      "Ann Example",
      "Smartsheet Member",
      "Acme",
      "300",
      "2026-08-01T00:00:00Z",
      "Your Smartsheet license: do you still need it?",
    ]);
    expect(parsed[1]![7]!.startsWith("Hello Ann Example,\n")).toBe(true);
    expect(parsed[2]![0]).toBe("bob@example.com");

    await user.click(within(dialog).getByRole("button", { name: "Open an e-mail to ann@example.com" }));
    await waitFor(() => expect(backend.callsTo("plugin:opener|open_url")).toHaveLength(1));
    const url = backend.callsTo("plugin:opener|open_url")[0]!.url as string;
    expect(url.startsWith("mailto:ann@example.com?subject=Your%20Smartsheet%20license%3A%20do%20you%20still%20need%20it%3F&body=Hello%20Ann%20Example%2C%0D%0A")).toBe(true);

    await user.click(within(dialog).getByRole("button", { name: "Mark 2 users notified" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("move_candidates")).toEqual([{ ids: [1, 2], reviewMove: "notified" }]);
    await waitFor(() => expect(stateOf("Ann Example")).toBe("Awaiting User"));
    expect(stateOf("Bob Builder")).toBe("Awaiting User");
    expect(stateOf("Dan Dormant")).toBe("Ready");

    // Ann answers that she keeps it.
    await select(user, "Ann Example");
    await user.click(action("Record answer: keeps it"));
    let step = await screen.findByRole("dialog", { name: "Record answer: keeps it" });
    await user.click(within(step).getByRole("button", { name: "Record answer for 1 user" }));
    await waitFor(() => expect(stateOf("Ann Example")).toBe("Awaiting Approval"));
    expect(backend.callsTo("move_candidates").at(-1)).toEqual({ ids: [1], reviewMove: "userKeeps" });

    // The admin declines her request; Bob, still Awaiting User, is left as he is.
    await select(user, "Ann Example", "Bob Builder");
    await user.click(action("Decline"));
    step = await screen.findByRole("dialog", { name: "Decline the request" });
    expect(within(step).getByTestId("left-out")).toHaveTextContent("1 selected candidate is left as it is: not Awaiting Approval.");
    await user.click(within(step).getByRole("button", { name: "Decline 1 request" }));
    await waitFor(() => expect(stateOf("Ann Example")).toBe("Ready"));
    expect(backend.callsTo("move_candidates").at(-1)).toEqual({ ids: [1], reviewMove: "declined" });
    expect(store.candidate(2).state).toBe("awaitingUser");
  });

  it("keeps a seat a user asked for (Closed Skipped), and can protect the user too", async () => {
    const candidates = THREE.map((c) => (c.id === 2 ? { ...c, state: "awaitingApproval" as const } : c));
    const { user, backend, store } = setup({ candidates });
    await waitFor(() => expect(stateOf("Bob Builder")).toBe("Awaiting Approval"));
    await select(user, "Bob Builder");
    await user.click(action("Keep"));
    const dialog = await screen.findByRole("dialog", { name: "Keep the seat" });
    expect(within(dialog).getByRole("textbox", { name: /Reason/ })).toHaveValue("The user asked to keep the seat.");
    await user.click(within(dialog).getByRole("checkbox", { name: /Also add these users to Protected users/ }));
    await user.click(within(dialog).getByRole("button", { name: "Keep 1 seat" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("skip_candidates")).toEqual([{ ids: [2], reason: "The user asked to keep the seat." }]);
    expect(backend.callsTo("protect_candidates")).toEqual([{ ids: [2], note: "The user asked to keep the seat." }]);
    expect(store.protectedUsers().map((p) => p.pattern)).toEqual(["bob@example.com"]);
    expect(store.candidate(2).state).toBe("closedSkipped");
    await waitFor(() => expect(userNames()).toEqual(["Ann Example", "Dan Dormant"]));
  });

  it("resumes a candidate whose reclaim failed, with Smartsheet's reason on its state", async () => {
    const failed = "Smartsheet refused the downgrade (error 1188): the user is inactive.";
    const candidates = THREE.map((c) => (c.id === 1 ? { ...c, state: "attentionRequired" as const, note: failed } : c));
    const { user, backend } = setup({ candidates });
    await waitFor(() => expect(stateOf("Ann Example")).toBe("Attention Required"));
    expect(within(rowOf("Ann Example")).getByTestId("state-badge")).toHaveAttribute("title", failed);
    await select(user, "Ann Example", "Bob Builder");
    await user.click(action("Resume reclaim"));
    const dialog = await screen.findByRole("dialog", { name: "Resume reclaim" });
    await user.click(within(dialog).getByRole("button", { name: "Resume 1 candidate" }));
    await waitFor(() => expect(stateOf("Ann Example")).toBe("Ready"));
    expect(backend.callsTo("move_candidates")).toEqual([{ ids: [1], reviewMove: "resumed" }]);
  });

  it("protects the selected users: their candidates close", async () => {
    const { user, backend, store } = setup({ candidates: THREE });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    await select(user, "Ann Example");
    await user.click(action("Protect"));
    const dialog = await screen.findByRole("dialog", { name: "Protect users" });
    const note = within(dialog).getByRole("textbox", { name: /Note/ });
    await user.clear(note);
    await user.type(note, "Board member");
    await user.click(within(dialog).getByRole("button", { name: "Protect 1 user" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("protect_candidates")).toEqual([{ ids: [1], note: "Board member" }]);
    expect(store.protectedUsers().map((p) => p.pattern)).toEqual(["ann@example.com"]);
    await waitFor(() => expect(userNames()).toEqual(["Bob Builder", "Dan Dormant"]));
  });

  it("acts on a selection made by filter without reading every row, except where addresses are needed", async () => {
    const notifying = reclamationRule({ id: 1, modelId: 1, notifyUser: true });
    const candidates = manyCandidates(1200).map((c) => (c.id === 7 ? { ...c, state: "awaitingRevocation" as const } : c));
    const { user, backend } = setup({ candidates, rules: [notifying] });
    await waitFor(() => expect(userNames()[0]).toBe("User 00000"));
    await user.click(screen.getByRole("button", { name: "Select all 1,200 that match" }));
    await waitFor(() => expect(screen.getByTestId("selected-count")).toHaveTextContent("1,200 selected"));

    // Skip depends on the state only: the core says which selected candidates can be skipped.
    await user.click(action("Skip"));
    let dialog = await screen.findByRole("dialog", { name: "Skip candidates" });
    expect(within(dialog).getByRole("button", { name: "Skip 1,199 candidates" })).toBeInTheDocument();
    expect(within(dialog).getByText("and 1,191 more users")).toBeInTheDocument();
    expect(within(dialog).getByTestId("left-out")).toHaveTextContent(
      "1 selected candidate is left as it is: closed, or being reclaimed (Awaiting Revocation).",
    );
    expect(backend.callsTo("candidate_ids").at(-1)!.filter).toMatchObject({
      states: ["ready", "awaitingUser", "awaitingApproval", "attentionRequired"],
    });
    expect(requests(backend).filter((r) => r.limit !== 200)).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    // Notify user needs every address: the rows are read, 500 at a time.
    await user.click(action("Notify user"));
    dialog = await screen.findByRole("dialog", { name: "Notify user" });
    expect(within(dialog).getByRole("button", { name: "Mark 1,199 users notified" })).toBeInTheDocument();
    expect(requests(backend).filter((r) => r.limit === 500).map((r) => r.offset)).toEqual([0, 500, 1000]);
  });

  it("disables Reclaim with the reason when Reclaim subscriptions is cleared (report-only mode)", async () => {
    const reportOnly = profile({ status: "Published", reclaimSubscriptions: false });
    const onReclaim = vi.fn();
    const { user } = setup({ profiles: [reportOnly], candidates: THREE, related: reportOnly, onReclaim });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    await select(user, "Ann Example");
    const reclaim = action("Reclaim");
    expect(reclaim).toBeDisabled();
    expect(screen.getByTestId("reclaim-reason")).toHaveTextContent(REPORT_ONLY_REASON);
    expect(REPORT_ONLY_REASON).toBe(
      "Reclaim subscriptions is cleared on this profile: candidates are reported only. Select Reclaim subscriptions on the profile to reclaim seats.",
    );
    expect(reclaim).toHaveAccessibleDescription(REPORT_ONLY_REASON);
    // The related list has no Profile column.
    expect(within(table()).queryByRole("columnheader", { name: "Profile" })).not.toBeInTheDocument();
    expect(onReclaim).not.toHaveBeenCalled();
  });

  it("says the activity is stale while the profile's events job is paused", async () => {
    const paused = profile({
      status: "Published",
      jobs: [job({ id: 2, kind: "Events", name: "Refresh Acme Events", active: false, lastSucceededAt: null })],
    });
    setup({ profiles: [paused], candidates: THREE });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(screen.getByTestId("stale-activity")).toHaveTextContent(
      "Activity is stale: “Refresh Acme Events” (last run never) is paused",
    );
  });

  it("does not warn while the events job is active", async () => {
    setup({ profiles: [profile({ status: "Published", jobs: [job({ id: 2, kind: "Events" })] })], candidates: THREE });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(screen.queryByTestId("stale-activity")).toBeNull();
  });

  it("says a Draft profile cannot reclaim, hides Reclaim without a way to run it, and hands the selection over when there is one", async () => {
    const draft = profile({ status: "Draft" });
    const first = setup({ profiles: [draft], candidates: THREE, related: draft });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(action("Reclaim")).toBeDisabled();
    expect(screen.getByTestId("reclaim-reason")).toHaveTextContent("This profile is Draft");
    first.unmount();

    const second = setup({ candidates: THREE, related: ACME });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(within(screen.getByTestId("selection-bar")).queryByRole("button", { name: "Reclaim" })).not.toBeInTheDocument();
    expect(screen.queryByTestId("reclaim-reason")).not.toBeInTheDocument();
    second.unmount();

    const onReclaim = vi.fn();
    const { user } = setup({ candidates: THREE, related: ACME, onReclaim });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    expect(action("Reclaim")).toBeDisabled();
    await select(user, "Bob Builder", "Dan Dormant");
    await user.click(action("Reclaim"));
    expect(onReclaim).toHaveBeenCalledWith([2, 3], { reselect: expect.any(Function), clear: expect.any(Function) });
  });

  it("recomputes on demand and shows what changed", async () => {
    const { user, backend } = setup({ candidates: THREE, related: ACME });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    const before = requests(backend).length;
    await user.click(action("Recompute candidates"));
    expect(await screen.findByTestId("compute-summary")).toHaveTextContent(
      "3 opened, 1 updated, 2 Closed Canceled (active again), 0 Closed Skipped (no longer a seat the rules reclaim), 1 back to Ready (no answer in time). 3 open in all.",
    );
    expect(backend.callsTo("compute_candidates")).toEqual([{ profileId: 1 }]);
    await waitFor(() => expect(requests(backend).length).toBeGreaterThan(before));
  });

  it("reads the list again when a refresh finishes (it computes the candidates at its end)", async () => {
    const { backend, store } = setup({ candidates: THREE });
    await waitFor(() => expect(userNames()).toHaveLength(3));
    store.handlers.skip_candidates({ ids: [3], reason: "Closed elsewhere" });
    const before = requests(backend).length;
    await emitBackendEvent("job-finished", { jobId: 1, profileId: 1, result: jobResult() });
    await waitFor(() => expect(requests(backend).length).toBeGreaterThan(before));
    await waitFor(() => expect(userNames()).toEqual(["Ann Example", "Bob Builder"]));
  });

  it("explains why there are no candidates", async () => {
    const cases: [Setup, string][] = [
      [{ profiles: [profile({ status: "Draft" })], rules: [] }, "No published profile"],
      [{ rules: [reclamationRule({ paid: false, modelName: "Provisional" })] }, "No paid seats"],
      [{ rules: [reclamationRule({ active: false })] }, "The reclamation rules are not Active"],
      [{ rules: [reclamationRule()] }, "Everyone with a paid seat is active"],
      [{ rules: [] }, "No subscriptions yet"],
    ];
    for (const [options, title] of cases) {
      const view = setup({ ...options, candidates: [] });
      const empty = await screen.findByTestId("candidates-empty");
      await waitFor(() => expect(empty).toHaveTextContent(title));
      view.unmount();
    }
    setup({ rules: [reclamationRule({ paid: false })], candidates: [] });
    expect(await screen.findByTestId("candidates-empty")).toHaveTextContent(
      "PROVISIONAL_MEMBER seats are free for now and are never candidates",
    );
  });

  it("shows the core's error when the list cannot be read", async () => {
    setup({
      handlers: {
        list_candidates: () => {
          throw backendError("Database", "Seatkeeper could not read or write its database (locked).");
        },
      },
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("could not read or write its database (locked)");
  });
});

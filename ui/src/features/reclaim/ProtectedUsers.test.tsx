import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { mockBackend, reclaimStore } from "../../lib/mockBackend";
import { profile, protectedUser, reclamationRule, removalCandidate } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { ProtectedUsers } from "./ProtectedUsers";

const ACME = profile({ status: "Published" });

function renderList() {
  const store = reclaimStore({
    profiles: [ACME],
    rules: [reclamationRule()],
    candidates: [
      removalCandidate({ id: 1, email: "ann@example.com" }),
      removalCandidate({ id: 2, email: "bob@hq.example.com", name: "Bob" }),
    ],
    protectedUsers: [protectedUser({ id: 1, pattern: "ceo@example.com", note: "CEO" })],
  });
  const backend = mockBackend(store.handlers);
  return { ...renderWithProviders(<ProtectedUsers profile={ACME} />), backend, store };
}

const table = () => screen.getByRole("table", { name: "Protected Users" });
const firstCells = () =>
  within(table())
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell")[0]!.textContent);

describe("Protected Users", () => {
  it("explains that protected users are never candidates, and lists them", async () => {
    renderList();
    expect(screen.getByTestId("protected-explanation")).toHaveTextContent(
      "Protected users are never removal candidates",
    );
    await screen.findByRole("table", { name: "Protected Users" });
    expect(firstCells()).toEqual(["ceo@example.com"]);
    expect(within(table()).getAllByRole("row")[1]).toHaveTextContent("CEO");
  });

  it("adds a domain: checked here first, then by the core, and its open candidates close", async () => {
    const { user, backend, store } = renderList();
    await user.click(await screen.findByRole("button", { name: "Add" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a protected user" });
    const pattern = within(dialog).getByRole("textbox", { name: /Email or domain/ });

    await user.type(pattern, "not a domain");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(await within(dialog).findByText(/is not a valid domain/)).toBeInTheDocument();
    expect(backend.callsTo("add_protected_user")).toEqual([]);

    // Already in the list: the core says so, on the field.
    await user.clear(pattern);
    await user.type(pattern, "CEO@example.com");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(await within(dialog).findByText("“ceo@example.com” is already a protected user.")).toBeInTheDocument();
    expect(pattern).toHaveAttribute("aria-invalid", "true");

    await user.clear(pattern);
    await user.type(pattern, "HQ.example.com");
    await user.type(within(dialog).getByRole("textbox", { name: /Note/ }), "Headquarters");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("add_protected_user").at(-1)).toEqual({
      profileId: 1,
      input: { pattern: "HQ.example.com", note: "Headquarters" },
    });
    await waitFor(() => expect(firstCells()).toEqual(["hq.example.com (domain)", "ceo@example.com"]));
    // Bob is at the domain: his candidate is closed; Ann's is not.
    expect(store.candidate(2).state).toBe("closedSkipped");
    expect(store.candidate(1).state).toBe("ready");
  });

  it("removes a protection after confirmation, and not without", async () => {
    const { user, backend } = renderList();
    await user.click(await screen.findByRole("button", { name: "Remove ceo@example.com" }));
    let confirm = await screen.findByRole("dialog", { name: "Remove protection" });
    expect(confirm).toHaveTextContent("can become removal candidates again");
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("delete_protected_user")).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Remove ceo@example.com" }));
    confirm = await screen.findByRole("dialog", { name: "Remove protection" });
    await user.click(within(confirm).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(backend.callsTo("delete_protected_user")).toEqual([{ id: 1 }]));
    expect(await screen.findByText("No protected users yet")).toBeInTheDocument();
  });
});

import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Profile } from "../../bindings/profiles";
import { App } from "../../app/App";
import { backendError, type BackendHandlers, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, job, profile, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

/** A backend whose profile 1 changes as commands are called. */
function backendWith(initial: Profile, handlers: BackendHandlers = {}) {
  let current = initial;
  const backend = mockBackend({
    list_profiles: () => [current],
    get_profile: () => current,
    default_activity_start: () => ACTIVITY_START,
    get_activity_settings: () => activitySettings(),
    validate_connection: () => {
      const result = validation();
      current = { ...current, lastValidation: result };
      return result;
    },
    publish_profile: () => {
      current = {
        ...current,
        status: "Published",
        publishedAt: "2026-11-29T10:00:00Z",
        jobs: [job(), job({ id: 2, kind: "Events", name: "Refresh Acme Events" })],
      };
      return current;
    },
    ...handlers,
  });
  return backend;
}

describe("Validate Connection and Publish", () => {
  it("keeps Publish disabled until a successful validation", async () => {
    backendWith(
      profile({
        lastValidation: validation({
          ok: false,
          failure: "InvalidToken",
          message: "Smartsheet did not accept the API key (error 1002).",
        }),
      }),
    );
    renderWithProviders(<App />, { path: "/profiles/1" });
    expect(await screen.findByRole("button", { name: "Publish" })).toBeDisabled();
    expect(screen.getByTestId("validation-result")).toHaveTextContent(
      "Smartsheet did not accept the API key (error 1002).",
    );
    expect(screen.getByTestId("action-hint")).toHaveTextContent("after a successful Validate Connection");
  });

  it("validates, shows the result, then publishes after the confirmation", async () => {
    const backend = backendWith(profile());
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    const publish = await screen.findByRole("button", { name: "Publish" });
    expect(publish).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Validate Connection" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Publish" })).toBeEnabled());
    const result = screen.getByTestId("validation-result");
    expect(result).toHaveTextContent("Connection validated");
    expect(result).toHaveTextContent("Ada Admin <admin@example.com>");
    expect(result).toHaveTextContent("System Admin");
    expect(result).toHaveTextContent("Example Corp");
    expect(backend.callsTo("validate_connection")).toEqual([{ profileId: 1 }]);

    await user.click(screen.getByRole("button", { name: "Publish" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish Confirmation" });
    expect(backend.callsTo("publish_profile")).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "OK" }));

    await waitFor(() => expect(screen.getByTestId("profile-status")).toHaveTextContent("Published"));
    expect(backend.callsTo("publish_profile")).toEqual([{ id: 1 }]);
    expect(screen.queryByRole("button", { name: "Validate Connection" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Publish" })).not.toBeInTheDocument();
  });

  it("does not publish when the confirmation is cancelled", async () => {
    const backend = backendWith(profile({ lastValidation: validation() }));
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("button", { name: "Publish" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish Confirmation" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("publish_profile")).toEqual([]);
  });

  it("notes that activity falls back to last-login dates without Event Reporting", async () => {
    backendWith(profile({ lastValidation: validation({ eventReporting: false }) }));
    renderWithProviders(<App />, { path: "/profiles/1" });
    expect(await screen.findByTestId("validation-result")).toHaveTextContent("fall back to last-login dates");
  });

  it("asks to save unsaved changes before validating or publishing", async () => {
    backendWith(profile({ lastValidation: validation() }));
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.type(await screen.findByLabelText("Display Name"), " Corp");
    expect(screen.getByRole("button", { name: "Validate Connection" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Publish" })).toBeDisabled();
    expect(screen.getByTestId("action-hint")).toHaveTextContent("Save your changes");
  });

  it("deletes after confirmation and returns to the start", async () => {
    const backend = backendWith(profile(), { delete_profile: () => null });
    const { user, location } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete profile" });
    // Said before anything is deleted: the audit log goes with the profile.
    expect(dialog).toHaveTextContent("Its removal candidates and its audit records");
    expect(dialog).toHaveTextContent("audit records are otherwise never deleted");
    expect(backend.callsTo("delete_profile")).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(location.history.at(-1)).toBe("/"));
    expect(backend.callsTo("delete_profile")).toEqual([{ id: 1 }]);
  });

  it("reports an error that prevents validating", async () => {
    backendWith(profile(), {
      validate_connection: () => {
        throw backendError("KeychainUnavailable", "The system keychain is locked. Unlock it, then try again.");
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("button", { name: "Validate Connection" }));
    expect(await screen.findByText("The system keychain is locked. Unlock it, then try again.")).toBeInTheDocument();
  });
});

import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import { backendError, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, profile } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

describe("welcome screen", () => {
  it("greets a first start with the two ways to begin", async () => {
    mockBackend({ list_profiles: () => [] });
    renderWithProviders(<App />);
    const welcome = screen.getByTestId("welcome");
    expect(await screen.findByText("No profiles yet.")).toBeInTheDocument();
    expect(within(welcome).getByRole("button", { name: "New profile" })).toBeInTheDocument();
    expect(within(welcome).getByRole("button", { name: "Try the demo organization" })).toBeInTheDocument();
  });

  it("starts the demo organization and opens its new profile", async () => {
    const demo = profile({ id: 5, displayName: "Demo organization" });
    let started = false;
    const backend = mockBackend({
      list_profiles: () => (started ? [demo] : []),
      start_demo: () => {
        started = true;
        return demo;
      },
      get_profile: () => demo,
      default_activity_start: () => ACTIVITY_START,
      get_activity_settings: () => activitySettings(),
    });
    const { user, location } = renderWithProviders(<App />);
    await user.click(screen.getByRole("button", { name: "Try the demo organization" }));
    await waitFor(() => expect(location.history.at(-1)).toBe("/profiles/5"));
    expect(backend.callsTo("start_demo")).toEqual([{}]);
    expect(await screen.findByRole("heading", { name: "Demo organization" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Demo organization/ })).toHaveAttribute("aria-current", "page");
  });

  it("shows why the demo could not start", async () => {
    mockBackend({
      list_profiles: () => [],
      start_demo: () => {
        throw backendError("Internal", "The demo organization could not start: no free port on 127.0.0.1.");
      },
    });
    const { user } = renderWithProviders(<App />);
    await user.click(screen.getByRole("button", { name: "Try the demo organization" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("no free port on 127.0.0.1");
  });

  it("opens the new-profile form", async () => {
    mockBackend({ list_profiles: () => [], default_activity_start: () => ACTIVITY_START });
    const { user, location } = renderWithProviders(<App />);
    await user.click(within(screen.getByTestId("welcome")).getByRole("button", { name: "New profile" }));
    expect(location.history.at(-1)).toBe("/profiles/new");
    expect(await screen.findByRole("heading", { name: "New integration profile" })).toBeInTheDocument();
  });
});

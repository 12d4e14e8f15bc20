import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { connectionStore, mockBackend } from "../lib/mockBackend";
import { renderWithProviders } from "../test/render";
import { App } from "./App";

describe("the app's screens", () => {
  it("opens another screen at its top, and leaves the scroll alone otherwise", async () => {
    mockBackend({ list_profiles: () => [], connection_presets: () => [], ...connectionStore([]).handlers });
    const { user, location } = renderWithProviders(<App />);
    expect(await screen.findByText("No profiles yet.")).toBeInTheDocument();
    // The window scrolls (AppShell), as far as the screen was read.
    window.scrollTo(0, 900);
    await user.hover(screen.getByRole("link", { name: /Connections & Credentials/ }));
    expect(window.scrollY).toBe(900);

    await user.click(screen.getByRole("link", { name: /Connections & Credentials/ }));
    await waitFor(() => expect(location.history.at(-1)).toBe("/connections"));
    expect(window.scrollY).toBe(0);
  });
});

import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import { backendError, mockBackend } from "../../lib/mockBackend";
import { profile } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

describe("profile list", () => {
  it("lists each profile with its status and last sync", async () => {
    mockBackend({
      list_profiles: () => [
        profile(),
        profile({ id: 2, displayName: "Globex", status: "Published", lastSyncAt: "2026-11-28T09:30:00Z" }),
      ],
    });
    renderWithProviders(<App />);
    const acme = await screen.findByRole("link", { name: /Acme/ });
    expect(acme).toHaveTextContent("Draft");
    expect(acme).toHaveTextContent("Never synced");
    expect(acme).toHaveAttribute("href", "/profiles/1");
    expect(acme.querySelector("a")).toBeNull();
    const globex = screen.getByRole("link", { name: /Globex/ });
    expect(globex).toHaveTextContent("Published");
    expect(globex).toHaveTextContent(/Last sync 2026-11-2[89] \d\d:30/);
  });

  it("shows a failure to load the profiles, with a retry", async () => {
    mockBackend({
      list_profiles: () => {
        throw backendError("Database", "Seatkeeper could not read or write its database (locked).");
      },
    });
    renderWithProviders(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("could not read or write its database (locked)");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});

import { describe, expect, it } from "vitest";

import { mockBackend } from "./mockBackend";
import { mailtoUrl, openMailto } from "./opener";

describe("opener", () => {
  it("builds a mailto: URL with the address kept and everything else percent-encoded, CRLF line breaks", () => {
    expect(mailtoUrl(" ann.o'neil+seat@example.com ", "Your seat & you?", "Hello,\nline 2")).toBe(
      "mailto:ann.o'neil%2Bseat@example.com?subject=Your%20seat%20%26%20you%3F&body=Hello%2C%0D%0Aline%202",
    );
    // An address cannot smuggle in headers of its own.
    expect(mailtoUrl("a@example.com?bcc=eve@example.com", "s", "b")).toMatch(/^mailto:a@example\.com%3Fbcc%3Deve@example\.com\?/);
  });

  it("opens mailto: links through the opener plugin, and nothing else", async () => {
    const backend = mockBackend({ "plugin:opener|open_url": () => null });
    await openMailto("mailto:ann@example.com?subject=x");
    expect(backend.calls).toEqual([{ cmd: "plugin:opener|open_url", args: { url: "mailto:ann@example.com?subject=x" } }]);

    await expect(openMailto("https://example.com/")).rejects.toMatchObject({ name: "IpcError", code: "Internal" });
    expect(backend.calls).toHaveLength(1);
  });

  it("reports the shell's refusal as an IpcError", async () => {
    mockBackend({
      "plugin:opener|open_url": () => {
        throw "Not allowed to open url mailto:x";
      },
    });
    await expect(openMailto("mailto:x")).rejects.toMatchObject({
      name: "IpcError",
      code: "Internal",
      message: "Not allowed to open url mailto:x",
    });
  });
});

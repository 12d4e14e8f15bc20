import { describe, expect, it } from "vitest";

import type { ConnectionChoice } from "../../bindings/profiles";
import { connection } from "../../test/fixtures";
import { type ConnectionFormValues, initialValues, keyNeedsReentry, toChoice, toUpdate } from "./connectionForm";

const US = "https://api.smartsheet.com/2.0";
const EU = "https://api.smartsheet.eu/2.0";
const PRESETS = [{ label: "US", url: US }, { label: "Europe", url: EU }];
const EARLIER: ConnectionChoice = { kind: "new", name: "Smartsheet US", url: US, apiKey: "earlier-key-0123456789" };

function values(overrides: Partial<ConnectionFormValues>): ConnectionFormValues {
  return { ...initialValues({ choice: null }, PRESETS), name: "Smartsheet US", ...overrides };
}

describe("the key on file and the Connection URL's origin", () => {
  it.each([
    [`${US}/`, false],
    ["https://API.smartsheet.com/other", false],
    [EU, true],
    ["https://api.smartsheet.com:8443/2.0", true],
    ["http://127.0.0.1:8082/2.0", true],
    ["not a url", false],
  ])("%j needs the key again: %j", (url, expected) => {
    expect(keyNeedsReentry(url, US)).toBe(expected);
  });

  it("has nothing to re-enter without a key on file", () => {
    expect(keyNeedsReentry(EU, null)).toBe(false);
  });

  it("reuses the earlier key of a new profile's connection on the same origin only", () => {
    expect(toChoice(values({ url: `${US}/` }), EARLIER)).toMatchObject({ apiKey: EARLIER.apiKey });
    expect(toChoice(values({ url: EU, urlPreset: EU }), EARLIER)).toMatchObject({ apiKey: "" });
    expect(toChoice(values({ url: EU, urlPreset: EU, apiKey: " typed-key-0123456789 " }), EARLIER)).toMatchObject({
      apiKey: "typed-key-0123456789",
    });
  });
});

describe("the confirmed host", () => {
  const probe = "https://seatkeeper-probe.invalid/2.0";

  it("is sent only for the URL's own host, once confirmed", () => {
    expect(toChoice(values({ url: probe, trustedHost: "seatkeeper-probe.invalid" }), null)).toMatchObject({
      trustedHost: "seatkeeper-probe.invalid",
    });
    expect(toChoice(values({ url: probe, trustedHost: "gateway.example.com" }), null)).not.toHaveProperty(
      "trustedHost",
    );
    expect(toChoice(values({ url: US, trustedHost: "seatkeeper-probe.invalid" }), null)).not.toHaveProperty(
      "trustedHost",
    );
    expect(toUpdate(values({ url: probe, trustedHost: "seatkeeper-probe.invalid" }))).toEqual({
      name: "Smartsheet US",
      url: probe,
      trustedHost: "seatkeeper-probe.invalid",
    });
  });

  it("starts as the saved connection's", () => {
    const gateway = connection({ url: "https://gateway.example.com/2.0", trustedHost: "gateway.example.com" });
    expect(initialValues({ connection: gateway }, PRESETS)).toMatchObject({ trustedHost: "gateway.example.com" });
    expect(initialValues({ connection: connection() }, PRESETS)).toMatchObject({ trustedHost: null });
  });
});

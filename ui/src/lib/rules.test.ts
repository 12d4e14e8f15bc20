import { describe, expect, it } from "vitest";

import {
  apiKeyProblem,
  connectionUrlProblem,
  exclusionIdentifierProblem,
  hostNeedingConfirmation,
  keyLastFour,
  keyOrigin,
  maskedKey,
  nameProblem,
  userPatternProblem,
} from "./rules";
import cases from "./rules.cases.json";

// The cases the core's Rust test (seatkeeper-core src/rules_contract.rs) runs too.
describe("shared cases with the core (rules.cases.json)", () => {
  const accepts: Record<string, (value: string) => boolean> = {
    name: (v) => nameProblem("Name", "connection", v) === null,
    connectionUrl: (v) => connectionUrlProblem(v) === null,
    apiKey: (v) => apiKeyProblem(v) === null,
    exclusionIdentifier: (v) => exclusionIdentifierProblem(v) === null,
    userPattern: (v) => userPatternProblem(v) === null,
  };
  for (const [rule, accept] of Object.entries(accepts)) {
    const list = (cases as unknown as Record<string, { value: string; ok: boolean }[]>)[rule] ?? [];
    it(`${rule}: has cases`, () => expect(list.length).toBeGreaterThan(0));
    it.each(list)(`${rule}: %j`, ({ value, ok }) => expect(accept(value)).toBe(ok));
  }
  it.each(cases.keyLastFour)("keyLastFour: %j", ({ value, lastFour }) => expect(keyLastFour(value)).toBe(lastFour));
  it("hostNeedingConfirmation: has cases", () => expect(cases.hostNeedingConfirmation.length).toBeGreaterThan(0));
  it.each(cases.hostNeedingConfirmation)("hostNeedingConfirmation: %j", ({ value, host }) =>
    expect(hostNeedingConfirmation(value)).toBe(host),
  );
});

describe("the origin an API key is bound to (mirrors the core)", () => {
  it.each([
    ["https://api.smartsheet.com/2.0", "https://api.smartsheet.com"],
    [" https://API.Smartsheet.com/2.0/ ", "https://api.smartsheet.com"],
    ["https://api.smartsheet.com:443/other", "https://api.smartsheet.com"],
    ["https://api.smartsheet.com:8443/2.0", "https://api.smartsheet.com:8443"],
    ["http://127.0.0.1:8082/2.0", "http://127.0.0.1:8082"],
    ["http://[::1]:9/2.0", "http://[::1]:9"],
    ["not a url", null],
    ["", null],
  ])("%j is bound to %j", (url, origin) => {
    expect(keyOrigin(url)).toBe(origin);
  });
});

describe("Connection URL rule (mirrors the core)", () => {
  it.each([
    "https://api.smartsheet.com/2.0",
    "https://api.smartsheetgov.com/",
    "https://api.smartsheet.eu/2.0",
    "http://127.0.0.1:8080/2.0",
    "http://localhost:41231/2.0",
    "http://[::1]:8080/2.0",
  ])("accepts %s", (url) => {
    expect(connectionUrlProblem(url)).toBeNull();
  });

  it.each([
    ["", /Enter the Connection URL/],
    ["api.smartsheet.com", /not a valid web address/],
    ["http://example.com", /must start with https:\/\//],
    ["http://api.smartsheet.com/2.0", /must start with https:\/\//],
    ["ftp://api.smartsheet.com", /must start with https:\/\//],
    ["https://user:secret@api.smartsheet.com/2.0", /user name or password/],
    ["https://api.smartsheet.com/2.0?x=1", /'\?' or '#'/],
    ["https://api.smartsheet.com/2.0#top", /'\?' or '#'/],
  ])("rejects %j", (url, message) => {
    expect(connectionUrlProblem(url)).toMatch(message);
  });
});

describe("name rule", () => {
  it("requires a name of at most 100 characters on one line", () => {
    expect(nameProblem("Display Name", "profile", "  ")).toBe("Enter a Display Name for the profile.");
    expect(nameProblem("Name", "connection", "a\tb")).toMatch(/control characters/);
    expect(nameProblem("Name", "connection", "x".repeat(101))).toMatch(
      /at most 100 characters long \(this one has 101\)/,
    );
    expect(nameProblem("Name", "connection", " Smartsheet US ")).toBeNull();
  });
});

describe("API key", () => {
  it("must be non-empty visible ASCII", () => {
    expect(apiKeyProblem(" ")).toMatch(/Enter the API Key/);
    expect(apiKeyProblem("abc def")).toMatch(/spaces, line breaks/);
    expect(apiKeyProblem(" abcDEF123 ")).toBeNull();
  });

  it("is only ever shown as its last four characters, and not at all when short", () => {
    expect(keyLastFour("0123456789abcdef1a2b")).toBe("1a2b");
    expect(keyLastFour("short-key")).toBeNull();
    expect(maskedKey("1a2b")).toBe("•••• 1a2b");
    expect(maskedKey(null)).not.toMatch(/\w/);
  });
});

describe("user exclusion patterns (mirroring sync/exclusions.rs)", () => {
  it("accepts emails and domains, with or without @", () => {
    for (const good of [" Ann@Example.COM ", "contractors.example", "@Contractors.Example.", "@eu.contractors.example"]) {
      expect(userPatternProblem(good), good).toBeNull();
    }
  });

  it("refuses what the core refuses", () => {
    for (const bad of ["", "  ", "ann@", "ann@example", "a b@example.com", "a@@example.com", "example", "-a.example",
      "a..example", "@", "1.2.3.4", "ann@exa_mple.com"]) {
      expect(userPatternProblem(bad), bad).not.toBeNull();
    }
  });

  it("checks identifiers", () => {
    expect(exclusionIdentifierProblem(" GUEST ")).toBeNull();
    expect(exclusionIdentifierProblem(" ")).toBe("Enter a subscription identifier, for example GUEST.");
    expect(exclusionIdentifierProblem("x".repeat(101))).toBe("A subscription identifier has at most 100 characters.");
    expect(exclusionIdentifierProblem("A\tB")).toBe("A subscription identifier cannot contain control characters.");
  });
});

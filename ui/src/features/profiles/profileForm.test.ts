import { describe, expect, it } from "vitest";

import { toPickerValue } from "../../lib/dates";
import { profileFormSchema, type ProfileFormValues, toProfileInput } from "./profileForm";

const EARLIEST = "2026-09-30T00:00:00Z";
const NOW = new Date("2026-11-29T12:00:00Z");
const rules = {
  earliest: EARLIEST,
  initialAnalyzeFrom: toPickerValue(EARLIEST),
  requireConnection: false,
  now: () => NOW,
};

function values(overrides: Partial<ProfileFormValues> = {}): ProfileFormValues {
  return {
    displayName: "Acme",
    downloadActivity: true,
    analyzeActivityFrom: toPickerValue(EARLIEST),
    reclaimSubscriptions: true,
    connection: null,
    ...overrides,
  };
}

function errors(schemaRules: Parameters<typeof profileFormSchema>[0], input: ProfileFormValues) {
  const result = profileFormSchema(schemaRules).safeParse(input);
  return Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join("."), issue.message]));
}

describe("profile form rules", () => {
  it("requires a Display Name", () => {
    expect(errors(rules, values({ displayName: "   " }))).toEqual({
      displayName: "Enter a Display Name for the profile.",
    });
  });

  it("accepts “Analyze user activity from” between 60 days back and now", () => {
    expect(errors(rules, values({ analyzeActivityFrom: toPickerValue("2026-10-15T08:00:00Z") }))).toEqual({});
    expect(errors(rules, values({ analyzeActivityFrom: toPickerValue("2026-11-29T11:59:00Z") }))).toEqual({});
  });

  it("rejects “Analyze user activity from” earlier than 60 days back", () => {
    const { analyzeActivityFrom } = errors(
      rules,
      values({ analyzeActivityFrom: toPickerValue("2026-09-29T23:59:00Z") }),
    );
    expect(analyzeActivityFrom).toMatch(/can go back at most 60 days/);
  });

  it("rejects “Analyze user activity from” in the future", () => {
    const { analyzeActivityFrom } = errors(
      rules,
      values({ analyzeActivityFrom: toPickerValue("2026-11-29T12:05:00Z") }),
    );
    expect(analyzeActivityFrom).toMatch(/cannot be in the future/);
  });

  it("keeps accepting an unchanged stored value that time has pushed past 60 days", () => {
    const stored = toPickerValue("2026-08-01T00:00:00Z");
    expect(errors({ ...rules, initialAnalyzeFrom: stored }, values({ analyzeActivityFrom: stored }))).toEqual({});
  });

  it("does not check the date while Download activity is cleared", () => {
    const tooEarly = toPickerValue("2026-01-01T00:00:00Z");
    expect(errors(rules, values({ downloadActivity: false, analyzeActivityFrom: tooEarly }))).toEqual({});
  });

  it("saves a new profile without a connection (Save first, as in the procedure)", () => {
    expect(errors(rules, values({ displayName: "Acme", connection: null }))).toEqual({});
  });

  it("sends the activity start only when it was changed", () => {
    const initial = toPickerValue(EARLIEST);
    expect(toProfileInput(values({ displayName: " Acme " }), initial)).toEqual({
      displayName: "Acme",
      downloadActivity: true,
      analyzeActivityFrom: null,
      reclaimSubscriptions: true,
    });
    const changed = toPickerValue("2026-10-15T08:00:00Z");
    expect(toProfileInput(values({ analyzeActivityFrom: changed }), initial).analyzeActivityFrom).toBe(
      "2026-10-15T08:00:00.000Z",
    );
    expect(
      toProfileInput(values({ analyzeActivityFrom: changed, downloadActivity: false }), initial).analyzeActivityFrom,
    ).toBeNull();
  });
});

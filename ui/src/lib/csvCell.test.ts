import { describe, expect, it } from "vitest";

import cases from "./csvCell.cases.json";
import { spreadsheetText } from "./csvCell";

// The cases the core's Rust test (seatkeeper-core src/export.rs) runs too.
describe("shared cases with the core (csvCell.cases.json)", () => {
  it("has cases", () => expect(cases.cases.length).toBeGreaterThan(0));
  it.each(cases.cases)("spreadsheetText: %j", ({ text, cell }) => expect(spreadsheetText(text)).toBe(cell));
});

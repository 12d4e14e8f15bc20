// How a text is written into a CSV cell that a spreadsheet will open. Any user of the organization
// can set their own name, and a cell that begins with = + - @, a tab or a carriage return runs as a
// formula in Excel, LibreOffice and Google Sheets (CSV injection). The core's CSV export
// (seatkeeper-core src/export.rs) applies the same rule; both run the cases in csvCell.cases.json.

import Papa from "papaparse";

/** The characters that make a spreadsheet read a cell as a formula when it begins with one. */
const FORMULA_STARTS: readonly string[] = ["=", "+", "-", "@", "\t", "\r"];

/**
 * `text` as a spreadsheet cell that is shown as text, never run: with a leading apostrophe when it
 * begins like a formula, otherwise as it is. Line breaks and quotes inside are the CSV writer's to
 * quote.
 */
export function spreadsheetText(text: string): string {
  return FORMULA_STARTS.some((start) => text.startsWith(start)) ? `'${text}` : text;
}

/**
 * A CSV of `fields` (the header) and `rows`, every cell through `spreadsheetText`. Papa's own,
 * narrower formula escaping stays off: this rule replaces it.
 */
export function csvText(fields: readonly string[], rows: readonly (readonly string[])[]): string {
  return Papa.unparse(
    { fields: fields.map(spreadsheetText), data: rows.map((row) => row.map(spreadsheetText)) },
    { escapeFormulae: false },
  );
}

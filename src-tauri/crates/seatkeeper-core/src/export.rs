//! Exports the admin opens in a spreadsheet. Any user of the organization can set their own name,
//! and a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return runs as a formula
//! in Excel, LibreOffice and Google Sheets (CSV injection). Such a text cell is written with a
//! leading apostrophe, which spreadsheets show as text. The rule is the UI's too
//! (`ui/src/lib/csvCell.ts`); both run the shared cases in `ui/src/lib/csvCell.cases.json`.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula when it begins with one.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a spreadsheet cell that is shown as text, never run: with a leading apostrophe when
/// it begins like a formula, otherwise as it is. Line breaks and quotes inside are the CSV
/// writer's to quote.
pub fn spreadsheet_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &str =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../ui/src/lib/csvCell.cases.json"));

    #[test]
    fn the_shared_cases_hold() {
        let cases: serde_json::Value = serde_json::from_str(CASES).expect("csvCell.cases.json is JSON");
        let cases = cases["cases"].as_array().expect("a list of cases");
        assert!(cases.len() >= 10, "{}", cases.len());
        for case in cases {
            let (text, cell) = (case["text"].as_str().unwrap(), case["cell"].as_str().unwrap());
            assert_eq!(spreadsheet_text(text), cell, "{text:?}");
        }
    }
}

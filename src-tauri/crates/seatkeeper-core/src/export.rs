//! Exports the admin opens in a spreadsheet. Any user of the organization can set their own name,
//! and a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return runs as a formula
//! in Excel, LibreOffice and Google Sheets (CSV injection). Such a text cell is written with a
//! leading apostrophe, which spreadsheets show as text. The rule is the UI's too
//! (`ui/src/lib/csvCell.ts`); both run the shared cases in `ui/src/lib/csvCell.cases.json`.

use std::borrow::Cow;
use std::path::Path;

use base64::Engine;

use crate::error::{Error, Result};

/// The largest image the finance summary may be (as decoded).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

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

/// A file name from user-entered text (a profile's name), made safe to save, ending in `.extension`.
pub fn safe_file_name(name: &str, extension: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let stem = cleaned.strip_suffix(&format!(".{extension}")).unwrap_or(cleaned);
    let stem = if stem.is_empty() { "export" } else { stem };
    format!("{stem}.{extension}")
}

/// Writes a PNG image, sent by the page as base64, to `path` (chosen by the admin in the system's
/// save dialog). Refuses what is not a PNG or is larger than [`MAX_IMAGE_BYTES`]; the file is
/// written whole or not at all (a temporary file renamed into place).
pub fn save_png(path: &Path, data_base64: &str) -> Result<()> {
    if data_base64.len() > MAX_IMAGE_BYTES / 3 * 4 + 4 {
        return Err(Error::validation("dataBase64", "The image is larger than 20 MB; nothing was saved."));
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(data_base64.trim()).map_err(|_| {
        Error::validation("dataBase64", "The image could not be read (not base64); nothing was saved.")
    })?;
    if !bytes.starts_with(PNG_SIGNATURE) {
        return Err(Error::validation("dataBase64", "The image is not a PNG; nothing was saved."));
    }
    let name =
        path.file_name().ok_or_else(|| Error::validation("fileName", "Choose a file name to save to."))?;
    let mut partial = name.to_owned();
    partial.push(".partial");
    let temporary = path.with_file_name(partial);
    let write = || -> std::io::Result<()> {
        std::fs::write(&temporary, &bytes)?;
        std::fs::rename(&temporary, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::validation(
            "fileName",
            format!("Could not save {}: {e}. Choose another folder and try again.", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(
            safe_file_name("Acme/EU: summary 2026-12-02.png", "png"),
            "Acme-EU- summary 2026-12-02.png"
        );
        assert_eq!(safe_file_name("../../etc/passwd", "png"), "-..-etc-passwd.png");
        assert_eq!(safe_file_name("  ", "png"), "export.png");
    }

    #[test]
    fn a_png_is_saved_whole_and_anything_else_is_refused() {
        let dir = std::env::temp_dir().join(format!("seatkeeper-png-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("summary.png");
        let png = [PNG_SIGNATURE, b"rest of the image"].concat();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
        save_png(&path, &encoded).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), png);
        let text = base64::engine::general_purpose::STANDARD.encode(b"<svg/>");
        assert_eq!(save_png(&dir.join("b.png"), &text).unwrap_err().field(), Some("dataBase64"));
        assert!(save_png(&dir.join("c.png"), "not base64!").unwrap_err().to_string().contains("base64"));
        assert!(!dir.join("b.png").exists() && !dir.join("c.png").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

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

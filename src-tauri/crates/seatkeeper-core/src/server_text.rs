//! Text that came from a server, kept at a readable length wherever Seatkeeper stores or shows
//! it. A server's answer is untrusted: an error message of 200 KB, or a user's name of a
//! megabyte, must neither fill the database nor the screen. Smartsheet's `errorCode` (a number)
//! and `refId` are never cut by these limits: messages put them outside the capped text.

/// A server's error message, or a detail quoted from an answer.
pub const MAX_MESSAGE: usize = 500;
/// A name, e-mail address, organization or other single value.
pub const MAX_NAME: usize = 320;
/// A job result's error message or warnings as stored (composed by Seatkeeper, quoting capped
/// server text).
pub const MAX_STORED: usize = 4_000;
/// A `refId` longer than this is not one of Smartsheet's (theirs are a few characters) and is
/// cut like any other text.
pub const MAX_REF_ID: usize = 128;

/// `text` cut to at most `max` characters (not bytes), marked with how much was left out.
pub fn cap(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => {
            let left_out = text[end..].chars().count();
            let unit = if left_out == 1 { "character" } else { "characters" };
            format!("{}… [{left_out} more {unit}]", &text[..end])
        }
    }
}

/// [`cap`] for an optional value.
pub fn cap_opt(text: Option<String>, max: usize) -> Option<String> {
    text.map(|t| if t.chars().count() > max { cap(&t, max) } else { t })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_on_a_character_boundary() {
        assert_eq!(cap("Smartsheet", 20), "Smartsheet");
        assert_eq!(cap("Smartsheet", 10), "Smartsheet");
        assert_eq!(cap("Smartsheet", 5), "Smart… [5 more characters]");
        // Multi-byte characters count as one and are never split.
        assert_eq!(cap("ééééé", 2), "éé… [3 more characters]");
        let huge = "x".repeat(200_000);
        let capped = cap(&huge, MAX_MESSAGE);
        assert!(capped.len() < MAX_MESSAGE + 40, "{}", capped.len());
        assert!(capped.ends_with("[199500 more characters]"), "{capped}");
        assert_eq!(cap_opt(Some("abc".into()), 2).as_deref(), Some("ab… [1 more character]"));
        assert_eq!(cap_opt(None, 2), None);
    }
}

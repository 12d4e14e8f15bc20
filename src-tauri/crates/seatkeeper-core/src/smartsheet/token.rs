//! The Smartsheet API token as a redacting secret.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

/// Tokens shorter than this never reveal any characters, not even in [`ApiToken::last_four`]:
/// four characters of a short token would give away too much of it.
const MIN_LEN_FOR_HINT: usize = 16;

/// A Smartsheet API access token.
///
/// The value is held in a [`SecretString`] (zeroed on drop). `Debug` and `Display` print at most
/// the last four characters (`ApiToken(…1a2b)`), so the token cannot leak through logs, error
/// messages or `{:?}` of a struct that contains it.
#[derive(Clone)]
pub struct ApiToken(SecretString);

/// Why a pasted token was rejected before it was ever sent to Smartsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("The API token is empty. Paste the token you generated in Smartsheet's API Access settings.")]
    Empty,
    #[error(
        "The API token contains spaces, line breaks or other characters that a Smartsheet token \
         never has. Copy it again from Smartsheet and paste only the token."
    )]
    InvalidCharacters,
}

impl ApiToken {
    /// Validates a token as typed or pasted by an admin. Surrounding whitespace (a trailing line
    /// break from copy and paste) is trimmed; anything else that cannot be part of a token is an
    /// error.
    pub fn new(token: impl Into<String>) -> Result<Self, TokenError> {
        let secret = SecretString::from(token.into());
        let trimmed = secret.expose_secret().trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        if !trimmed.chars().all(|c| c.is_ascii_graphic()) {
            return Err(TokenError::InvalidCharacters);
        }
        Ok(Self(SecretString::from(trimmed)))
    }

    /// The last four characters, for showing which token is configured ("…1a2b"); `None` for
    /// tokens too short to reveal anything safely.
    pub fn last_four(&self) -> Option<&str> {
        let token = self.0.expose_secret();
        // Validated ASCII, so byte offsets are character offsets.
        (token.len() >= MIN_LEN_FOR_HINT).then(|| &token[token.len() - 4..])
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl FromStr for ApiToken {
    type Err = TokenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last_four() {
            Some(tail) => write!(f, "…{tail}"),
            None => f.write_str("[redacted]"),
        }
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiToken({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ll352u9jujauoqz4gstvsae05Xz1a2b";

    #[test]
    fn debug_and_display_show_at_most_the_last_four_characters() {
        let token = ApiToken::new(SECRET).unwrap();
        assert_eq!(format!("{token:?}"), "ApiToken(…1a2b)");
        assert_eq!(token.to_string(), "…1a2b");
        assert_eq!(token.last_four(), Some("1a2b"));

        #[derive(Debug)]
        #[allow(dead_code)] // only read through Debug
        struct Holder {
            token: ApiToken,
        }
        let printed = format!("{:?} {:#?} {}", Holder { token: token.clone() }, token, token);
        assert!(!printed.contains(SECRET));
        assert!(!printed.contains(&SECRET[..SECRET.len() - 4]));
        assert!(!printed.contains(&SECRET[SECRET.len() - 5..]), "more than four characters shown");
    }

    #[test]
    fn short_tokens_reveal_nothing() {
        let token = ApiToken::new("abc123").unwrap();
        assert_eq!(token.last_four(), None);
        assert_eq!(format!("{token:?}"), "ApiToken([redacted])");
        assert!(!format!("{token:?}{token}").contains("123"));
    }

    #[test]
    fn validation() {
        assert_eq!(ApiToken::new("").unwrap_err(), TokenError::Empty);
        assert_eq!(ApiToken::new(" \n\t").unwrap_err(), TokenError::Empty);
        for bad in ["abc def", "abc\ndef", "abc\u{7}def", "abcdéf", "abc\u{a0}def"] {
            assert_eq!(ApiToken::new(bad).unwrap_err(), TokenError::InvalidCharacters, "{bad:?}");
        }
        let pasted: ApiToken = format!("  {SECRET}\r\n").parse().unwrap();
        assert_eq!(pasted.expose(), SECRET);
        // The error never echoes the input.
        let message = ApiToken::new("secret value").unwrap_err().to_string();
        assert!(!message.contains("secret"));
    }
}

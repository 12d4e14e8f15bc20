//! Amounts of money: whole minor units (cents) of an ISO 4217 currency, never floating point.

use iso_currency::Currency;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// The largest amount accepted for one seat per month, in major units.
const MAX_MAJOR: i64 = 1_000_000;

/// An amount: `minor / 10^exponent` units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct Money {
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    pub minor: i64,
    /// Digits after the decimal point for this currency (2 for USD, 0 for JPY).
    pub exponent: u16,
}

impl Money {
    pub fn new(currency: &str, minor: i64) -> Self {
        Self { currency: currency.to_owned(), minor, exponent: exponent(currency) }
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", plain(self.minor, self.exponent), self.currency)
    }
}

/// `1234.50` for 123450 minor units with exponent 2 (as in a CSV cell).
pub fn plain(minor: i64, exponent: u16) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(u32::from(exponent));
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale as u64, abs % scale as u64, width = usize::from(exponent))
}

pub(crate) fn exponent(code: &str) -> u16 {
    Currency::from_code(code).and_then(Currency::exponent).unwrap_or(2)
}

/// A currency code as stored: an ISO 4217 code, upper case. Field errors name `field`.
pub fn check_currency(field: &str, input: &str) -> Result<String> {
    let code = input.trim().to_ascii_uppercase();
    match Currency::from_code(&code) {
        Some(_) => Ok(code),
        None if code.is_empty() => Err(Error::validation(field, "Enter a currency code, for example USD.")),
        None => Err(Error::validation(
            field,
            format!(
                "“{}” is not an ISO 4217 currency code. Use a code such as USD, EUR or GBP.",
                input.trim()
            ),
        )),
    }
}

/// A cost as typed (`25`, `25.5`, `1,250.00`) → minor units of `currency`. Empty → None.
pub fn parse_amount(field: &str, input: &str, currency: &str) -> Result<Option<i64>> {
    let text: String = input.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
    if text.is_empty() {
        return Ok(None);
    }
    let digits = exponent(currency);
    let bad = || {
        Error::validation(
            field,
            format!(
                "“{}” is not an amount. Enter a number such as {}, without the currency sign.",
                input.trim(),
                plain(2500 * 10_i64.pow(u32::from(digits)) / 100, digits)
            ),
        )
    };
    if text.starts_with('-') {
        return Err(Error::validation(field, "A cost cannot be negative."));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    if fraction.len() > usize::from(digits) {
        return Err(Error::validation(
            field,
            if digits == 0 {
                format!("{currency} has no minor unit: enter a whole number.")
            } else {
                format!("{currency} has {digits} digits after the decimal point at most.")
            },
        ));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    if whole > MAX_MAJOR {
        return Err(Error::validation(
            field,
            format!(
                "{} {currency} per seat is more than Seatkeeper accepts; check the amount.",
                input.trim()
            ),
        ));
    }
    let scale = 10_i64.pow(u32::from(digits));
    let fraction: i64 = format!("{fraction:0<width$}", width = usize::from(digits)).parse().unwrap_or(0);
    Ok(Some(whole * scale + fraction))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_into_minor_units() {
        assert_eq!(parse_amount("c", "25", "USD").unwrap(), Some(2500));
        assert_eq!(parse_amount("c", " 1,250.5 ", "USD").unwrap(), Some(125_050));
        assert_eq!(parse_amount("c", ".99", "EUR").unwrap(), Some(99));
        assert_eq!(parse_amount("c", "3000", "JPY").unwrap(), Some(3000));
        assert_eq!(parse_amount("c", "", "USD").unwrap(), None);
    }

    #[test]
    fn bad_amounts_say_what_is_wrong() {
        let message = |input, currency| parse_amount("cost", input, currency).unwrap_err().to_string();
        assert!(message("-5", "USD").contains("negative"));
        assert!(message("12.345", "USD").contains("2 digits"));
        assert!(message("12.5", "JPY").contains("whole number"));
        assert!(message("ten", "USD").contains("not an amount"));
        assert!(message("1.2.3", "USD").contains("not an amount"));
        assert!(message("99999999", "USD").contains("more than"));
        assert_eq!(parse_amount("cost", "x", "USD").unwrap_err().field(), Some("cost"));
    }

    #[test]
    fn currencies_are_iso_codes() {
        assert_eq!(check_currency("c", " eur ").unwrap(), "EUR");
        assert!(check_currency("c", "EURO").unwrap_err().to_string().contains("ISO 4217"));
        assert!(check_currency("c", "").unwrap_err().to_string().contains("Enter"));
    }

    #[test]
    fn money_prints_with_its_minor_units() {
        assert_eq!(Money::new("USD", 123_405).to_string(), "1234.05 USD");
        assert_eq!(Money::new("JPY", 3000).to_string(), "3000 JPY");
        assert_eq!(plain(-5, 2), "-0.05");
    }
}

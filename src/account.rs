//! A KIS account number: 8 digits (CANO) plus a 2-digit product code (ACNT_PRDT_CD).

use crate::error::{KisError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub cano: String,
    pub product: String,
}

impl Account {
    /// Accepts "12345678-01", "1234567801" and "12345678" (product code "01").
    pub fn parse(field: &str, s: &str) -> Result<Account> {
        let s = s.trim_ascii();
        // `get` rather than indexing: a non-ASCII input must be an error, not a panic.
        let dash = s.find('-');
        let (cano, product) = match (s.len(), dash) {
            (11, Some(8)) => (s.get(..8), s.get(9..)),
            (10, None) => (s.get(..8), s.get(8..)),
            (8, None) => (Some(s), Some("01")),
            _ => {
                return Err(KisError::validation(
                    field,
                    "must be 8 digits, optionally followed by a 2-digit product code \
                     (\"12345678-01\", \"1234567801\" or \"12345678\")",
                ))
            }
        };
        let digits = |p: &&str| p.bytes().all(|c| c.is_ascii_digit());
        let (Some(cano), Some(product)) = (cano.filter(digits), product.filter(digits)) else {
            return Err(KisError::validation(field, "must contain digits only"));
        };
        Ok(Account {
            cano: cano.to_string(),
            product: product.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s9_account_forms_and_default_product_code() {
        let a = Account::parse("account", "12345678-01").unwrap();
        assert_eq!((a.cano.as_str(), a.product.as_str()), ("12345678", "01"));
        let a = Account::parse("account", "1234567822").unwrap();
        assert_eq!((a.cano.as_str(), a.product.as_str()), ("12345678", "22"));
        let a = Account::parse("account", "12345678").unwrap();
        assert_eq!(a.product, "01");
    }

    #[test]
    fn b6_bad_accounts_are_refused_with_the_field_named() {
        for bad in [
            "1234567",
            "123456789",
            "1234-5678",
            "abcdefgh",
            "12345678-1",
            "",
            // Ten bytes with a two-byte character across byte 8: refused, not a panic.
            "1234567é9",
        ] {
            let e = Account::parse("account", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("account"), "{bad}");
        }
    }
}

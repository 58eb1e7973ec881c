//! KRX stock codes: 6 characters of digits and upper-case letters (new codes such as `0091C0`
//! carry letters), or `Q` + 6 digits for ETNs.

use crate::error::{KisError, Result};

pub fn validate_symbol(field: &str, s: &str) -> Result<()> {
    let b = s.as_bytes();
    let krx = b.len() == 6
        && b.iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
    let etn = b.len() == 7 && b[0] == b'Q' && b[1..].iter().all(u8::is_ascii_digit);
    if krx || etn {
        Ok(())
    } else {
        Err(KisError::validation(
            field,
            format!(
                "must be a 6-character KRX code (digits and upper-case letters, e.g. \"005930\") \
                 or \"Q\" + 6 digits for an ETN, got {s:?}"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b6_symbols() {
        for ok in ["005930", "0091C0", "360750", "Q500001"] {
            assert!(validate_symbol("symbol", ok).is_ok(), "{ok}");
        }
        for bad in [
            "5930",
            "0059300",
            "00593a",
            "Q12345678",
            "",
            " 005930",
            "A00593-",
        ] {
            let e = validate_symbol("symbol", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("symbol"), "{bad}");
        }
    }
}

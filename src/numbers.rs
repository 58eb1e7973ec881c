//! KIS sends every number as a string: signed ("+1.26"), space padded, or empty. Parse them
//! tolerantly, and never into NaN.

use crate::row::Fields;

/// `"+1.26"` → 1.26, `" 300 "` → 300, `""` → None, `"abc"` → None.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim_ascii();
    let n = if t.contains(',') {
        t.replace(',', "").parse::<f64>()
    } else {
        t.parse::<f64>()
    };
    n.ok().filter(|f| f.is_finite())
}

/// Whether a finite `n` has no fractional part.
pub fn is_whole(n: f64) -> bool {
    n.fract() == 0.0
}

/// A numeric field of a KIS object; a JSON number is accepted too.
pub fn field_number(obj: &(impl Fields + ?Sized), key: &str) -> Option<f64> {
    parse_number(&obj.text(key)?)
}

/// A text field with KIS's space padding trimmed; missing → "".
pub fn field_text(obj: &(impl Fields + ?Sized), key: &str) -> String {
    obj.text(key)
        .map(|t| t.trim_ascii().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b8_parses_kis_numeric_strings_tolerantly() {
        assert_eq!(parse_number("+1.26"), Some(1.26));
        assert_eq!(parse_number("-0.50"), Some(-0.5));
        assert_eq!(parse_number("  128500 "), Some(128500.0));
        assert_eq!(parse_number("0000012"), Some(12.0));
        assert_eq!(parse_number("1,234"), Some(1234.0));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("   "), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("x12"), None);
        assert_eq!(parse_number("000"), Some(0.0));
        assert_eq!(parse_number("00.50"), Some(0.5));
        assert_eq!(parse_number("135440.2517"), Some(135440.2517));
        assert_eq!(parse_number("-0012.5"), Some(-12.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("1.2.3"), None);
    }

    #[test]
    fn whole_numbers_are_told_from_fractions() {
        for n in [
            0.0,
            -0.0,
            3.0,
            -4.0,
            1e15,
            4_503_599_627_370_497.0,
            1e300,
            -1e300,
        ] {
            assert!(is_whole(n), "{n}");
        }
        for n in [0.5, -0.5, 1e-300, 123.000001, 4_503_599_627_370_495.5] {
            assert!(!is_whole(n), "{n}");
        }
    }
}

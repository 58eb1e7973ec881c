//! Messages and other text built without `core::fmt`. Its machinery (argument tables, padding,
//! integer `Display`) and one `fmt::Arguments` per `format!` were ~5 KB gzip of the wasm; the
//! crate's text is only ever pieces joined and whole numbers, which these do directly.

use crate::prelude::*;

/// The pieces joined in one allocation: `cat!["must be at least ", min, ", got ", n]`. Each
/// piece is anything that reads as a `str` (`&str`, `String`, `&String`); numbers go through
/// [`num`].
macro_rules! cat {
    ($($piece:expr),+ $(,)?) => {
        $crate::text::join(&[$(::core::convert::AsRef::<str>::as_ref(&$piece)),+])
    };
}
pub(crate) use cat;

pub fn join(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        out.push_str(p);
    }
    out
}

/// `n` in decimal.
pub fn num(n: impl Into<u64>) -> String {
    let mut out = String::new();
    push_num(&mut out, n.into(), 1);
    out
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
pub fn push_num(out: &mut String, mut n: u64, width: usize) {
    // `get`, not indexing: a bounds check's panic formats numbers, and that alone linked
    // core::fmt's integer code into the wasm. (u64 has at most 20 digits.)
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while i > 0 {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(buf.len().saturating_sub(width));
    // Unchecked: nothing else in the wasm needs core's UTF-8 check, 0.7 KB of code.
    let digits = buf.get(start..).unwrap_or_default();
    // SAFETY: ASCII digits are UTF-8.
    out.push_str(unsafe { core::str::from_utf8_unchecked(digits) });
}

/// Appends the low `digits` hex digits of `n`.
pub fn push_hex(out: &mut String, n: u64, digits: usize, upper: bool) {
    let alphabet = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    for i in (0..digits).rev() {
        out.push(char::from(alphabet[(n >> (4 * i) & 15) as usize]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_pieces_and_writes_numbers() {
        let owned = String::from("b");
        assert_eq!(cat!["a", owned, &owned, num(42u16)], "abb42");
        assert_eq!(num(0u8), "0");
        assert_eq!(num(u64::MAX), "18446744073709551615");
        let mut s = String::new();
        push_num(&mut s, 7, 2);
        push_num(&mut s, 2026, 4);
        push_num(&mut s, 123, 2);
        push_num(&mut s, 5, 4);
        assert_eq!(s, "0720261230005");
        let mut h = String::new();
        push_hex(&mut h, 0x0a, 2, true);
        push_hex(&mut h, 0xdead_beef, 16, false);
        assert_eq!(h, "0A00000000deadbeef");
    }
}

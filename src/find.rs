//! Substring search over bytes. core's `str::contains(&str)` and `str::replace` bring its two-way
//! searcher and a panicking slice path (2.4 KB of wasm, with the Debug formatting it links);
//! the texts searched here are URLs, log lines and error bodies, where a plain scan is enough.

use crate::prelude::*;

/// Where `needle` first occurs in `hay` at or after `from`.
pub fn find_from(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return None;
    }
    (from..=h.len().checked_sub(n.len())?).find(|&i| h.get(i..i + n.len()) == Some(n))
}

pub fn contains(hay: &str, needle: &str) -> bool {
    find_from(hay, needle, 0).is_some()
}

/// `text` without any `c`.
pub fn without(text: &str, c: u8) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    // Cut at an ASCII byte, so at char boundaries: no char decoding to link.
    for (i, &k) in text.as_bytes().iter().enumerate() {
        if k == c {
            out.push_str(text.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    out.push_str(text.get(start..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_removes_inside_non_ascii_text() {
        assert_eq!(without("1,234,567", b','), "1234567");
        assert_eq!(without("토큰-끝-", b'-'), "토큰끝");
        assert!(contains("https://openapivts.example", "vts"));
        assert!(!contains("vt", "vts"));
        assert_eq!(find_from("abcabc", "abc", 1), Some(3));
    }
}

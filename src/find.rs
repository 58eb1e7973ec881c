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

/// `text` with every `needle` replaced by `with`. A match of a whole `&str` inside a `&str`
/// starts and ends on character boundaries, so the cuts are always valid.
pub fn replace_all(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    while let Some(at) = find_from(text, needle, copied) {
        out.push_str(text.get(copied..at).unwrap_or_default());
        out.push_str(with);
        copied = at + needle.len();
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_replaces_inside_non_ascii_text() {
        assert_eq!(replace_all("토큰abcabc끝abc", "abc", "*"), "토큰**끝*");
        assert_eq!(replace_all("aaaa", "aa", "*"), "**");
        assert_eq!(replace_all("ab", "abc", "*"), "ab");
        assert_eq!(replace_all("", "abc", "*"), "");
        assert_eq!(replace_all("abc", "", "*"), "abc");
        assert!(contains("https://openapivts.example", "vts"));
        assert!(!contains("vt", "vts"));
        assert_eq!(find_from("abcabc", "abc", 1), Some(3));
    }
}

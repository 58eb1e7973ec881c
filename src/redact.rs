//! Secrets (app key, app secret, access token) must never reach a log line, an event or an
//! error. Everything the client writes outward passes through one of these.
//!
//! Error bodies are kept as KIS sent them, and a JSON encoder may escape any character of a
//! secret (`\/` for the `/` of a base64 app secret, `\u002B` for a `+`): a secret is matched
//! in any such spelling, not only literally.

use std::borrow::Cow;
use std::cell::RefCell;

const MASK: &str = "***";

/// How many of a secret's first bytes are looked for before the whole of it.
const PROBE: usize = 12;

#[derive(Default)]
pub struct Redactor {
    secrets: RefCell<Vec<String>>,
}

impl Redactor {
    pub fn new(secrets: &[&str]) -> Self {
        let r = Redactor::default();
        for s in secrets {
            r.add(s);
        }
        r
    }

    /// Registers a value to mask from now on (a newly issued token, say). Short values are
    /// skipped: masking "P" or "" would mangle every message.
    pub fn add(&self, secret: &str) {
        if secret.len() >= 8 {
            let mut v = self.secrets.borrow_mut();
            if !v.iter().any(|s| s == secret) {
                // Kept longest first, so a secret containing another is masked whole.
                let at = v.partition_point(|s| s.len() >= secret.len());
                v.insert(at, secret.to_string());
            }
        }
    }

    pub fn redact(&self, text: &str) -> String {
        self.masked(text).into_owned()
    }

    /// `text` with every secret masked, borrowed as it was when it holds none, as nearly
    /// every text does.
    pub fn masked<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        // Without a backslash in the text (and the mask has none), a secret is only ever
        // spelled literally, and std's substring search tells far faster than trying every
        // byte whether it is there: a whole answer is masked on every call.
        let literal = !text.contains('\\');
        for s in self.secrets.borrow().iter() {
            // A secret's first bytes rule it out as surely as the whole, and std builds its
            // searcher for the needle on every call: a token's 350 bytes cost more than the
            // search.
            if literal && !out.contains(s.get(..PROBE).unwrap_or(s)) {
                continue;
            }
            if let Some(m) = mask(&out, s.as_bytes()) {
                out = Cow::Owned(m);
            }
        }
        out
    }
}

/// `text` with every spelling of `secret` replaced by the mask; None when there is none.
fn mask(text: &str, secret: &[u8]) -> Option<String> {
    let t = text.as_bytes();
    // Every spelling of a secret is at least as long as the secret.
    if t.len() < secret.len() {
        return None;
    }
    let first = (0..t.len()).find(|&i| spelled_at(t, i, secret).is_some_and(|end| end > i))?;
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, first);
    while i < t.len() {
        match spelled_at(t, i, secret).filter(|&end| end > i) {
            Some(end) => {
                // A match starts at a secret's first byte or at a `\` and ends after a secret's
                // last byte or an ASCII escape: both on character boundaries.
                out.push_str(text.get(copied..i).unwrap_or_default());
                out.push_str(MASK);
                (copied, i) = (end, end);
            }
            // Every byte, even one inside an escape: a text need not be JSON, and in a log
            // line `\nabc` is a backslash and "nabc". Inside JSON this can mask a little
            // more (`u0050…` after `\\`), never less.
            None => i += 1,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Some(out)
}

/// Where `secret` ends when it is spelled at `at`, each byte of it literally or as a JSON
/// escape: as JSON.parse would read the text, or as it stands.
fn spelled_at(t: &[u8], at: usize, secret: &[u8]) -> Option<usize> {
    let mut j = at;
    for (k, &c) in secret.iter().enumerate() {
        let literal = *t.get(j)? == c;
        match (escape(t, j).filter(|&(v, _)| v == c), literal) {
            // Both fit only for a backslash of the secret at a `\\` of the text: try each.
            (Some((_, n)), true) => {
                let rest = secret.get(k + 1..).unwrap_or_default();
                return spelled_at(t, j + n, rest).or_else(|| spelled_at(t, j + 1, rest));
            }
            (Some((_, n)), false) => j += n,
            (None, true) => j += 1,
            (None, false) => return None,
        }
    }
    Some(j)
}

/// The ASCII character a JSON escape at `i` stands for, and the escape's length: `\/`, `\\`,
/// `\"` and `\u00XX` (the only spellings a printable ASCII secret can take).
fn escape(t: &[u8], i: usize) -> Option<(u8, usize)> {
    if t.get(i) != Some(&b'\\') {
        return None;
    }
    match *t.get(i + 1)? {
        e @ (b'/' | b'\\' | b'"') => Some((e, 2)),
        b'u' => {
            let mut v: u32 = 0;
            for &h in t.get(i + 2..i + 6)? {
                v = v * 16 + (h as char).to_digit(16)?;
            }
            Some((u8::try_from(v).ok().filter(u8::is_ascii)?, 6))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_registered_secret() {
        let r = Redactor::new(&["APPKEY-0123456789", "SECRET-abcdefghij"]);
        r.add("token-xyz-123456");
        let s = r.redact("k=APPKEY-0123456789 s=SECRET-abcdefghij t=Bearer token-xyz-123456");
        assert_eq!(s, "k=*** s=*** t=Bearer ***");
        r.add("P");
        assert_eq!(r.redact("P"), "P");
    }

    #[test]
    fn masks_a_secret_that_contains_another_whole() {
        // Registered shortest first, as a token issued later may contain an earlier value.
        let r = Redactor::new(&["abcdefgh"]);
        r.add("abcdefgh-and-more");
        r.add("abcdefgh-and");
        assert_eq!(r.redact("x abcdefgh-and-more y"), "x *** y");
        assert_eq!(r.redact("x abcdefgh-and-m y"), "x ***-m y");
        assert_eq!(r.redact("x abcdefgh- y"), "x ***- y");
    }

    #[test]
    fn masks_a_secret_spelled_with_json_escapes() {
        let r = Redactor::new(&["ab/cd+ef==", "plain-secret"]);
        assert_eq!(
            r.redact(r#"{"s":"ab\/cd+ef==","t":"ab\u002fcd\u002Bef\u003d=","u":"ab/cd+ef=="}"#),
            r#"{"s":"***","t":"***","u":"***"}"#
        );
        // Escapes of other characters, or cut short, are not the secret.
        assert_eq!(r.redact(r"ab\/cd+ef="), r"ab\/cd+ef=");
        assert_eq!(r.redact(r"ab\u002xcd+ef=="), r"ab\u002xcd+ef==");
        assert_eq!(r.redact(r"ab\ncd+ef=="), r"ab\ncd+ef==");
        assert_eq!(r.redact("토큰 plain-secret 끝 \\"), "토큰 *** 끝 \\");
        assert_eq!(r.redact(r"plain\u002dsecretplain-secret"), "******");
        // Not JSON: a backslash before a secret that starts with an escape's letter.
        let r = Redactor::new(&["nsecret-1234"]);
        assert_eq!(r.redact(r"C:\nsecret-1234"), r"C:\***");
        assert_eq!(r.redact(r"C:\u006esecret-1234"), r"C:***");
        // A backslash of the secret, as it stands or escaped; two in a row need both readings.
        let r = Redactor::new(&[r"ab\cd-12345", r"a\\b-1234567"]);
        for text in [r"ab\cd-12345", r"ab\\cd-12345", r"ab\u005Ccd-12345"] {
            assert_eq!(r.redact(text), "***", "{text}");
        }
        for text in [r"a\\b-1234567", r"a\\\\b-1234567", r"a\\\b-1234567"] {
            assert_eq!(r.redact(text), "***", "{text}");
        }
    }
}

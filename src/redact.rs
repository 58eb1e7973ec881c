//! Secrets (app key, app secret, access token) must never reach a log line, an event or an
//! error. Everything the client writes outward passes through one of these.

use crate::prelude::*;

use crate::cell::RefCell;

const MASK: &str = "***";

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
                // Longest first, so a secret containing another is masked whole.
                v.push(secret.to_string());
                crate::sorted::settle_last(&mut v, |a, b| a.len() > b.len());
            }
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets.borrow().iter() {
            out = crate::find::replace_all(&out, s, MASK);
        }
        out
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
}

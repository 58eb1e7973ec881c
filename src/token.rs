//! An access token: how long KIS's answer makes it good for (S5), when a call may still use
//! it, and the key a token store keeps it under. The lifecycle that issues, stores and
//! reuses it is `engine::token`.

use serde_json::Value;

use crate::env::Env;
use crate::headers::sendable;
use crate::kst::parse_kst_datetime;
use crate::models::TokenInfo;
use crate::numbers::field_number;

/// S5: the seed treats a token as good for 23 hours (KIS says 24).
pub const MAX_LIFETIME_MS: f64 = 23.0 * 3_600_000.0;
pub const EXPIRING_SOON_MS: f64 = 3_600_000.0;
/// A call does not start with a token that would expire while it is in flight.
const USE_MARGIN_MS: f64 = 30_000.0;

#[derive(Clone, PartialEq)]
pub struct Token {
    pub access_token: String,
    pub expires_at: f64,
    pub issued_at: f64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("expires_at", &self.expires_at)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

impl Token {
    pub fn info(&self, now: f64) -> TokenInfo {
        TokenInfo {
            expires_at: self.expires_at,
            is_expired: now >= self.expires_at,
            is_expiring_soon: now >= self.expires_at - EXPIRING_SOON_MS,
        }
    }

    pub fn usable(&self, now: f64) -> bool {
        now < self.expires_at - USE_MARGIN_MS
    }
}

/// FNV-1a: the store key names the app key without holding it.
pub(crate) fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The token store's key: env and a hash of the app key, never the key itself. Stores written by
/// earlier versions are read with it, so its form must not change.
pub fn store_key(env: Env, app_key: &str) -> String {
    let mut key = format!("kis-wasm:{}:", env.as_str());
    key.push_str(&format!("{:016x}", fnv1a64(app_key)));
    key
}

/// When KIS says the token expires (`access_token_token_expired`, KST), as epoch milliseconds.
pub fn stated_expiry(body: &Value) -> Option<f64> {
    body.get("access_token_token_expired")
        .and_then(Value::as_str)
        .and_then(parse_kst_datetime)
}

/// S5: 23 h after issue, or less if KIS says so (`expires_in`, `access_token_token_expired`).
/// KIS's date is read by this machine's clock: one already past when the token arrives says the
/// clock is wrong (KIS issues a token for a day), not that the token is dead, so it is left to
/// `expires_in`, and to KIS's own EGW00123 should KIS disagree (S6).
pub fn parse_token(body: &Value, issued_at: f64) -> Option<Token> {
    let access_token = body.get("access_token")?.as_str()?.to_string();
    // It becomes the `authorization` header: a line break in it would add headers of the
    // server's choosing to every call, and one of megabytes would have every call refused.
    if !sendable(&access_token) {
        return None;
    }
    let mut expires_at = issued_at + MAX_LIFETIME_MS;
    if let Some(secs) = field_number(body, "expires_in") {
        expires_at = expires_at.min(issued_at + secs * 1000.0);
    }
    if let Some(at) = stated_expiry(body).filter(|&at| at > issued_at) {
        expires_at = expires_at.min(at);
    }
    Some(Token {
        access_token,
        expires_at,
        issued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::store_key;
    use crate::env::Env;

    #[test]
    fn the_store_key_keeps_its_form() {
        // FNV-1a 64 of "a" is af63dc4c8601ec8c (the algorithm's published test vector).
        assert_eq!(store_key(Env::Real, "a"), "kis-wasm:real:af63dc4c8601ec8c");
        assert_eq!(store_key(Env::Mock, ""), "kis-wasm:mock:cbf29ce484222325");
    }
}

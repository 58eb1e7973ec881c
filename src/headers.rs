//! Request headers for the three kinds of KIS call. A missing `custtype` costs an HTTP 500
//! (the seed), so these are built in one place and tested header by header.

use crate::env::CustType;

pub const JSON_UTF8: &str = "application/json; charset=utf-8";

pub struct Credentials<'a> {
    pub app_key: &'a str,
    pub app_secret: &'a str,
    pub cust_type: CustType,
}

/// Whether `v` can travel as a header value as it is: printable ASCII, so no line break that
/// would end the header and start another. Values from outside (a token or a hash from the
/// server, a token from a store) are checked with this before they are sent.
pub fn header_safe(v: &str) -> bool {
    v.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// The longest token, hash or approval key taken from a server or a store. KIS's are far
/// shorter (a token ~350 characters, a hash 44, an approval key 36); one of megabytes would be
/// sent with every call until it expired, and refused by every server (HTTP 431).
pub const MAX_ISSUED_LEN: usize = 4096;

/// Whether a value KIS issued (or a store kept) can be sent as it is: not empty, not past
/// [`MAX_ISSUED_LEN`], and [`header_safe`].
pub fn sendable(v: &str) -> bool {
    !v.is_empty() && v.len() <= MAX_ISSUED_LEN && header_safe(v)
}

/// Names are the crate's own constants: only values are copied.
type Headers = Vec<(&'static str, String)>;

fn h(k: &'static str, v: &str) -> (&'static str, String) {
    (k, v.to_string())
}

/// S1: every `/uapi` call; POSTs add `hashkey` when one was issued; `tr_cont` only on follow-up
/// pages.
pub fn uapi_headers(
    c: &Credentials,
    token: &str,
    tr_id: &str,
    tr_cont: &str,
    hashkey: Option<&str>,
) -> Headers {
    let mut v = vec![
        h("content-type", JSON_UTF8),
        h("authorization", &format!("Bearer {token}")),
        h("appkey", c.app_key),
        h("appsecret", c.app_secret),
        h("tr_id", tr_id),
        h("custtype", c.cust_type.as_str()),
    ];
    if !tr_cont.is_empty() {
        v.push(h("tr_cont", tr_cont));
    }
    if let Some(k) = hashkey {
        v.push(h("hashkey", k));
    }
    v
}

/// S2: the hashkey call has no bearer token and no `custtype`, and spells the keys as the seed.
pub fn hashkey_headers(c: &Credentials) -> Headers {
    vec![
        h("content-type", JSON_UTF8),
        h("appKey", c.app_key),
        h("appSecret", c.app_secret),
    ]
}

pub fn token_headers() -> Headers {
    vec![h("content-type", JSON_UTF8)]
}

pub fn token_body(c: &Credentials) -> String {
    crate::order::json_object(&[
        ("grant_type", "client_credentials".to_string()),
        ("appkey", c.app_key.to_string()),
        ("appsecret", c.app_secret.to_string()),
    ])
}

/// `/oauth2/revokeP`'s body: the token KIS is to forget, with the keys it was issued to.
pub fn revoke_body(c: &Credentials, token: &str) -> String {
    crate::order::json_object(&[
        ("appkey", c.app_key.to_string()),
        ("appsecret", c.app_secret.to_string()),
        ("token", token.to_string()),
    ])
}

/// `/oauth2/Approval`'s body: the realtime socket's approval key is asked with `secretkey`,
/// where the token is asked with `appsecret`.
pub fn approval_body(c: &Credentials) -> String {
    crate::order::json_object(&[
        ("grant_type", "client_credentials".to_string()),
        ("appkey", c.app_key.to_string()),
        ("secretkey", c.app_secret.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials<'static> {
        Credentials {
            app_key: "APPKEY",
            app_secret: "APPSECRET",
            cust_type: CustType::Personal,
        }
    }

    fn get<'a>(hs: &'a Headers, k: &str) -> Option<&'a str> {
        hs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn s1_uapi_headers() {
        let hs = uapi_headers(&creds(), "TOK", "FHKST01010100", "", None);
        assert_eq!(
            get(&hs, "content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(get(&hs, "authorization"), Some("Bearer TOK"));
        assert_eq!(get(&hs, "appkey"), Some("APPKEY"));
        assert_eq!(get(&hs, "appsecret"), Some("APPSECRET"));
        assert_eq!(get(&hs, "tr_id"), Some("FHKST01010100"));
        assert_eq!(get(&hs, "custtype"), Some("P"));
        assert_eq!(get(&hs, "hashkey"), None);
        assert_eq!(get(&hs, "tr_cont"), None);
        let hs = uapi_headers(&creds(), "TOK", "TTTC0012U", "N", Some("abc"));
        assert_eq!(get(&hs, "hashkey"), Some("abc"));
        assert_eq!(get(&hs, "tr_cont"), Some("N"));
    }

    #[test]
    fn s2_hashkey_headers() {
        let hs = hashkey_headers(&creds());
        assert_eq!(
            get(&hs, "content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(get(&hs, "appKey"), Some("APPKEY"));
        assert_eq!(get(&hs, "appSecret"), Some("APPSECRET"));
        assert!(hs
            .iter()
            .all(|(k, _)| *k != "custtype" && *k != "authorization"));
    }
}

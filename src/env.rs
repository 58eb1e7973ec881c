//! The two KIS environments and their hosts.

use crate::error::{KisError, Result};

pub const REAL_BASE_URL: &str = "https://openapi.koreainvestment.com:9443";
/// The seed says :9443; KIS moved the mock (VTS) host to :29443.
pub const MOCK_BASE_URL: &str = "https://openapivts.koreainvestment.com:29443";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    Real,
    Mock,
}

impl Env {
    pub fn parse(field: &str, s: &str) -> Result<Env> {
        match s {
            "real" => Ok(Env::Real),
            "mock" => Ok(Env::Mock),
            _ => Err(KisError::validation(
                field,
                format!("must be \"real\" or \"mock\", got {s:?}"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Env::Real => "real",
            Env::Mock => "mock",
        }
    }

    pub fn default_base_url(self) -> &'static str {
        match self {
            Env::Real => REAL_BASE_URL,
            Env::Mock => MOCK_BASE_URL,
        }
    }

    /// KIS's realtime (websocket) host.
    pub fn realtime_url(self) -> &'static str {
        match self {
            Env::Real => "ws://ops.koreainvestment.com:21000",
            Env::Mock => "ws://ops.koreainvestment.com:31000",
        }
    }

    /// KIS's published per-account limits since 2026-04-20.
    pub fn default_rate_limit(self) -> u32 {
        match self {
            Env::Real => 18,
            Env::Mock => 1,
        }
    }
}

/// The environment of a URL on one of KIS's own hosts; `None` for any other host (a proxy, a
/// mock), where it cannot be known and must be said.
pub fn kis_host_env(url: &str) -> Option<Env> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    match host.to_ascii_lowercase().as_str() {
        "openapi.koreainvestment.com" => Some(Env::Real),
        "openapivts.koreainvestment.com" => Some(Env::Mock),
        _ => None,
    }
}

/// The environment of a URL on KIS's realtime host (`ops.koreainvestment.com`, whose port
/// says which: 21000 real, 31000 mock); `None` for any other host or port.
pub fn kis_realtime_env(url: &str) -> Option<Env> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, port) = authority(rest).split_once(':')?;
    if !host.eq_ignore_ascii_case("ops.koreainvestment.com") {
        return None;
    }
    [Env::Real, Env::Mock]
        .into_iter()
        .find(|env| env.realtime_url().rsplit_once(':').map(|(_, p)| p) == Some(port))
}

/// The authority of a URL (`user:pass@host:port`), `rest` being what follows its scheme.
fn authority(rest: &str) -> &str {
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

/// The host part of a URL, `rest` being what follows its scheme, checked for `field`: there is
/// one, and it carries no user name or password, which would be repeated wherever the URL is
/// shown (a log line, an error).
pub fn check_authority(field: &str, rest: &str) -> Result<()> {
    let authority = authority(rest);
    if authority.contains('@') {
        return Err(KisError::validation(
            field,
            "must not carry a user name or password (user:pass@)",
        ));
    }
    if authority.is_empty() {
        return Err(KisError::validation(field, "has no host"));
    }
    Ok(())
}

/// `url` as an error may show it: a user name and password in it (`user:pass@`), which the
/// checks refuse, masked, so that the message refusing it does not repeat the password.
pub fn shown(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    match authority(rest).rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &rest[at..]),
        None => url.to_string(),
    }
}

/// The seed's rule: a URL is the mock (VTS) environment when it contains "vts".
pub fn is_mock_url(url: &str) -> bool {
    url.to_ascii_lowercase().contains("vts")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustType {
    Personal,
    Business,
}

impl CustType {
    pub fn parse(field: &str, s: &str) -> Result<CustType> {
        match s {
            "P" => Ok(CustType::Personal),
            "B" => Ok(CustType::Business),
            _ => Err(KisError::validation(
                field,
                format!("must be \"P\" or \"B\", got {s:?}"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CustType::Personal => "P",
            CustType::Business => "B",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_is_mock_url_looks_for_vts_case_insensitively() {
        assert!(is_mock_url(MOCK_BASE_URL));
        assert!(is_mock_url("https://OPENAPIVTS.koreainvestment.com:29443"));
        assert!(!is_mock_url(REAL_BASE_URL));
        assert!(!is_mock_url("http://127.0.0.1:8080"));
    }

    #[test]
    fn a_url_shown_in_an_error_never_shows_its_password() {
        for (url, seen) in [
            ("ftp://me:pw@kis.example/x", "ftp://***@kis.example/x"),
            ("me:pw@kis.example", "***@kis.example"),
            ("ws://a:b@c@host:1/p?q=@", "ws://***@host:1/p?q=@"),
            ("http://127.0.0.1:9/a@b", "http://127.0.0.1:9/a@b"),
            ("", ""),
        ] {
            assert_eq!(shown(url), seen, "{url}");
        }
    }
}

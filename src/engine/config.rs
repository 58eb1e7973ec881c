//! The client's options, read once and validated before anything is sent.

use serde_json::Value;

use crate::account::Account;
use crate::env::{check_authority, kis_host_env, shown, CustType, Env};
use crate::error::{KisError, Result};
use crate::headers::Credentials;
use crate::input::{read, whole_number};
use crate::inputs::KisClientOptions;
use crate::tr_id::TrIdSet;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// S7: extra attempts after a 5xx without a KIS envelope (or a lost connection on a read).
    pub server_errors: u32,
    pub delay_ms: f64,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub app_key: String,
    pub app_secret: String,
    pub account: Option<Account>,
    pub env: Env,
    pub base_url: String,
    pub cust_type: CustType,
    pub tr_ids: TrIdSet,
    pub hashkey: bool,
    pub rate_limit_per_sec: u32,
    pub retry: RetryPolicy,
    pub timeout_ms: Option<u64>,
    /// An answer past this many bytes is refused unread (B6).
    pub max_response_bytes: usize,
}

pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// KIS's largest answers (a page of 100 orders, 100 daily bars) are tens of KB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 << 20;
const MAX_RESPONSE_BYTES: f64 = (256 << 20) as f64;

/// `baseUrl`: an http(s) origin, optionally with a path (a proxy's prefix), and nothing that
/// would change where a request goes or what it carries: no user name or password (it would
/// show in error messages), no query or fragment (the path is appended after it), no `%`,
/// `\\`, space or control character (a line break would end the request line's URL and start
/// a header). The message never repeats a URL with a password in it.
fn base_url(u: &str) -> Result<String> {
    let field = "options.baseUrl";
    let u = u.trim_end_matches('/');
    let Some(rest) = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))
    else {
        return Err(KisError::validation(
            field,
            format!("must be an http(s) URL, got {:?}", shown(u)),
        ));
    };
    check_authority(field, rest)?;
    if let Some(c) = u
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '?' | '#' | '%' | '\\'))
    {
        return Err(KisError::validation(
            field,
            format!(
                "must be a plain http(s) URL without a query, fragment, escapes or spaces; \
                 got '{}' in \"{}\"",
                c.escape_default(),
                shown(u).escape_default()
            ),
        ));
    }
    Ok(u.to_string())
}

/// An app key or secret: they travel as header values. Surrounding whitespace (the newline of a
/// key read from a file) is dropped; a control character inside is invalid in a header, and
/// KIS's keys are ASCII, so either is refused here rather than by KIS. The message never repeats
/// the value, a secret.
fn header_value(field: &str, v: Option<&str>) -> Result<String> {
    let v = v.unwrap_or_default().trim_ascii();
    if v.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
        return Err(KisError::validation(
            field,
            "must be printable ASCII (no line breaks, tabs or non-breaking spaces)",
        ));
    }
    Ok(v.to_string())
}

/// Past these a value is a mistake rather than a setting: KIS's own limit is 18 calls a second,
/// and a timeout past a day never fires in practice.
const MAX_RATE_LIMIT: f64 = 1000.0;
const MAX_SERVER_RETRIES: f64 = 10.0;
const MAX_DELAY_MS: f64 = 60_000.0;
const MAX_TIMEOUT_MS: f64 = 86_400_000.0;

impl Config {
    pub fn from_value(v: &Value) -> Result<Config> {
        Config::from_options(read::<KisClientOptions>("options", v)?)
    }

    pub fn from_options(o: KisClientOptions) -> Result<Config> {
        let base_url = o.base_url.as_deref().map(base_url).transpose()?;
        // A trading client never guesses the real market: the environment is read off a KIS
        // host name, or said. Said against KIS's host of the other, it is refused rather than
        // either taken over the other: the TR IDs would be the wrong set, and a script believed
        // to be on the mock account would be talking to the real one.
        let said = o
            .env
            .as_deref()
            .map(|e| Env::parse("options.env", e))
            .transpose()?;
        let host = base_url.as_deref().and_then(kis_host_env);
        let env = match (said, host) {
            (Some(said), Some(host)) if said != host => {
                return Err(KisError::validation(
                    "options.env",
                    format!(
                        "is \"{said}\" but baseUrl is KIS's {host} host ({}): leave env out to \
                         take the host's, or give the {said} host",
                        shown(base_url.as_deref().unwrap_or_default()),
                        said = said.as_str(),
                        host = host.as_str(),
                    ),
                ));
            }
            (Some(env), _) | (None, Some(env)) => env,
            (None, None) if base_url.is_some() => {
                return Err(KisError::validation(
                    "options.env",
                    "is required when baseUrl is not a KIS host (a proxy or a mock): \"real\" \
                     or \"mock\"; the client does not guess",
                ))
            }
            (None, None) => Env::Mock,
        };
        let account = o
            .account
            .as_deref()
            .map(|a| Account::parse("options.account", a))
            .transpose()?;
        let rate = match o.rate_limit_per_sec {
            Some(n) => whole_number("options.rateLimitPerSec", n, 0.0, MAX_RATE_LIMIT)? as u32,
            None => env.default_rate_limit(),
        };
        let retry = o.retry.unwrap_or_default();
        let retry = RetryPolicy {
            server_errors: match retry.server_errors {
                Some(n) => whole_number("options.retry.serverErrors", n, 0.0, MAX_SERVER_RETRIES)?,
                None => 2,
            } as u32,
            delay_ms: match retry.delay_ms {
                Some(n) => whole_number("options.retry.delayMs", n, 0.0, MAX_DELAY_MS)?,
                None => 1000,
            } as f64,
        };
        let timeout_ms = match o.timeout_ms {
            Some(n) => Some(whole_number("options.timeoutMs", n, 1.0, MAX_TIMEOUT_MS)?),
            None => Some(DEFAULT_TIMEOUT_MS),
        };
        let max_response_bytes = match o.max_response_bytes {
            Some(n) => whole_number("options.maxResponseBytes", n, 1024.0, MAX_RESPONSE_BYTES)?,
            None => DEFAULT_MAX_RESPONSE_BYTES as u64,
        } as usize;
        Ok(Config {
            app_key: header_value("options.appKey", o.app_key.as_deref())?,
            app_secret: header_value("options.appSecret", o.app_secret.as_deref())?,
            account,
            base_url: base_url.unwrap_or_else(|| env.default_base_url().to_string()),
            env,
            cust_type: match &o.cust_type {
                Some(c) => CustType::parse("options.custType", c)?,
                None => CustType::Personal,
            },
            tr_ids: match &o.tr_ids {
                Some(s) => TrIdSet::parse("options.trIds", s)?,
                None => TrIdSet::Current,
            },
            hashkey: o.hashkey.unwrap_or(true),
            rate_limit_per_sec: rate,
            retry,
            timeout_ms,
            max_response_bytes,
        })
    }

    pub fn has_keys(&self) -> bool {
        !self.app_key.is_empty() && !self.app_secret.is_empty()
    }

    pub fn credentials(&self) -> Credentials<'_> {
        Credentials {
            app_key: &self.app_key,
            app_secret: &self.app_secret,
            cust_type: self.cust_type,
        }
    }

    pub fn require_keys(&self) -> Result<()> {
        if self.app_key.is_empty() {
            return Err(KisError::validation(
                "options.appKey",
                "is required to call KIS",
            ));
        }
        if self.app_secret.is_empty() {
            return Err(KisError::validation(
                "options.appSecret",
                "is required to call KIS",
            ));
        }
        Ok(())
    }

    pub fn require_account(&self) -> Result<&Account> {
        self.account
            .as_ref()
            .ok_or_else(|| KisError::validation("options.account", "is required for account calls"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_is_read_off_a_kis_host_and_required_for_any_other() {
        let c = Config::from_value(
            &json!({"baseUrl": "https://openapivts.koreainvestment.com:29443/"}),
        )
        .unwrap();
        assert_eq!(c.env, Env::Mock);
        assert_eq!(c.base_url, "https://openapivts.koreainvestment.com:29443");
        assert_eq!(c.rate_limit_per_sec, 1);
        let c = Config::from_value(&json!({"baseUrl": "https://openapi.koreainvestment.com:9443"}))
            .unwrap();
        assert_eq!(c.env, Env::Real);
        assert_eq!(c.rate_limit_per_sec, 18);
        // Not a KIS host: a proxy or a mock, whose environment cannot be read off its name.
        for url in [
            "http://127.0.0.1:9000",
            "https://vts-proxy.example",
            "https://kis.example",
        ] {
            let e = Config::from_value(&json!({ "baseUrl": url })).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("options.env"), "{url}");
            assert!(e.message.contains("not a KIS host"), "{}", e.message);
        }
        let c = Config::from_value(&json!({"baseUrl": "http://127.0.0.1:9000", "env": "mock"}))
            .unwrap();
        assert_eq!(c.env, Env::Mock);
        let c = Config::from_value(&json!({})).unwrap();
        assert_eq!(
            (c.env, c.base_url.as_str()),
            (Env::Mock, crate::env::MOCK_BASE_URL)
        );
        let c = Config::from_value(&json!({"env": "real"})).unwrap();
        assert_eq!(c.base_url, crate::env::REAL_BASE_URL);
    }

    #[test]
    fn an_env_that_contradicts_the_kis_host_it_is_given_is_refused() {
        let e = Config::from_value(
            &json!({"baseUrl": "https://openapi.koreainvestment.com:9443", "env": "mock"}),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("options.env"));
        assert_eq!(
            e.message,
            "options.env: is \"mock\" but baseUrl is KIS's real host \
             (https://openapi.koreainvestment.com:9443): leave env out to take the host's, or \
             give the mock host"
        );
        let e = Config::from_value(
            &json!({"baseUrl": "https://OPENAPIVTS.koreainvestment.com:29443", "env": "real"}),
        )
        .unwrap_err();
        assert!(e
            .message
            .starts_with("options.env: is \"real\" but baseUrl is KIS's mock host"));
        for (url, env) in [
            ("https://openapi.koreainvestment.com:9443", Env::Real),
            ("https://openapivts.koreainvestment.com:29443", Env::Mock),
        ] {
            let c = Config::from_value(&json!({"baseUrl": url, "env": env.as_str()})).unwrap();
            assert_eq!(c.env, env);
        }
    }

    #[test]
    fn b6_bad_options_name_the_field() {
        let cases = [
            (json!({"env": "prod"}), "options.env"),
            (json!({"account": "123"}), "options.account"),
            (json!({"rateLimitPerSec": -1}), "options.rateLimitPerSec"),
            (
                json!({"retry": {"serverErrors": 1.5}}),
                "options.retry.serverErrors",
            ),
            (json!({"retry": {"tries": 1}}), "options.retry.tries"),
            (json!({"baseUrl": "ftp://x"}), "options.baseUrl"),
            (json!({"appKy": "x"}), "options.appKy"),
            (json!({"hashkey": "yes"}), "options.hashkey"),
            (json!({"rateLimitPerSec": 1e12}), "options.rateLimitPerSec"),
            (
                json!({"retry": {"serverErrors": 1e9}}),
                "options.retry.serverErrors",
            ),
            (json!({"timeoutMs": 0}), "options.timeoutMs"),
            (json!({"appSecret": "abc\ndef"}), "options.appSecret"),
            (json!({"appKey": "ke\u{1}y"}), "options.appKey"),
            (json!({"appKey": "key-from-a-page\u{a0}"}), "options.appKey"),
            (json!({"appSecret": "\u{3000}secret"}), "options.appSecret"),
            (
                json!({"baseUrl": "http://127.0.0.1:1\r\nx-injected: 1"}),
                "options.baseUrl",
            ),
            (
                json!({"baseUrl": "http://127.0.0.1:1/?a=1"}),
                "options.baseUrl",
            ),
            (
                json!({"baseUrl": "http://127.0.0.1:1#x"}),
                "options.baseUrl",
            ),
            (
                json!({"baseUrl": "http://127.0.0.1:1/%2e%2e"}),
                "options.baseUrl",
            ),
            (json!({"baseUrl": "http://"}), "options.baseUrl"),
            (
                json!({"maxResponseBytes": 1e12}),
                "options.maxResponseBytes",
            ),
            (json!({"env": null}), "options.env"),
        ];
        for (v, field) in cases {
            let e = Config::from_value(&v).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{v}");
        }
        assert!(Config::from_value(&json!({"fetch": 1, "logger": null})).is_ok());
        // A password in the URL is refused without being repeated.
        let e = Config::from_value(&json!({"baseUrl": "https://me:hunter2-pass@kis.example"}))
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("options.baseUrl"));
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        let c =
            Config::from_value(&json!({"baseUrl": "http://127.0.0.1:8080/kis/", "env": "mock"}))
                .unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:8080/kis");
        let c = Config::from_value(&json!({"appKey": " key-from-a-file\n"})).unwrap();
        assert_eq!(c.app_key, "key-from-a-file");
    }
}

//! `realtime()`'s options, read as the client's are: unknown keys refused (a typo of
//! `silenceMs` must not fall back to the default silently), a wrong one named, and the socket's
//! URL checked before anything connects.

use serde::Deserialize;
use serde_json::Value;

use crate::env::{check_authority, kis_host_env, shown};
use crate::error::{KisError, Result};
use crate::input::read;
use crate::realtime::liveness::silence_ms;

/// `realtime()`'s data options; `WebSocket`, a constructor, is the binding's to read.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RealtimeOptions {
    /// `null` as absent, as before options were read strictly.
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    silence_ms: Option<f64>,
}

/// What a connection is made with.
#[derive(Debug, PartialEq)]
pub struct Settings {
    pub url: String,
    pub silence_ms: f64,
}

/// The options `v` (null when none were given) of a client whose REST calls go to `base_url`.
/// Without `url`, the socket goes to KIS's realtime host of that host's environment; a
/// `base_url` that is no KIS host (a proxy, a mock) needs one.
pub fn settings(v: &Value, base_url: &str) -> Result<Settings> {
    let o = match v {
        Value::Null => RealtimeOptions::default(),
        v => read::<RealtimeOptions>("options", v)?,
    };
    let url = match o.url {
        Some(u) => ws_url(&u)?,
        None => match kis_host_env(base_url) {
            Some(env) => env.realtime_url().to_string(),
            None => return Err(KisError::validation(
                "options.url",
                "is required when baseUrl is not a KIS host (the proxy's or the mock's ws:// URL)",
            )),
        },
    };
    Ok(Settings {
        url,
        silence_ms: silence_ms(o.silence_ms)?,
    })
}

/// A ws:// or wss:// URL without spaces, control characters or a user name and password (which
/// would be repeated in every warning that names the connection).
fn ws_url(u: &str) -> Result<String> {
    let field = "options.url";
    let Some(rest) = u.strip_prefix("ws://").or_else(|| u.strip_prefix("wss://")) else {
        return Err(KisError::validation(
            field,
            format!("must be a ws:// or wss:// URL, got {:?}", shown(u)),
        ));
    };
    if let Some(c) = u.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(KisError::validation(
            field,
            format!(
                "must be a URL without spaces or control characters; got '{}' in \"{}\"",
                c.escape_default(),
                shown(u).escape_default()
            ),
        ));
    }
    check_authority(field, rest)?;
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PROXY: &str = "http://127.0.0.1:8787";
    const KIS_MOCK: &str = "https://openapivts.koreainvestment.com:29443";

    fn refused(v: Value, base: &str) -> (String, String) {
        let e = settings(&v, base).unwrap_err();
        (e.field.clone().unwrap_or_default(), e.message.clone())
    }

    #[test]
    fn b6_realtime_options_name_what_is_wrong_and_refuse_a_typo() {
        let (field, message) = refused(json!({"url": "ws://127.0.0.1:1", "silence": 5}), PROXY);
        assert_eq!(field, "options.silence");
        assert!(message.contains("unknown option"), "{message}");
        assert_eq!(refused(json!({"url": 5}), PROXY).0, "options.url");
        assert_eq!(refused(json!({"url": "http://x"}), PROXY).0, "options.url");
        let (field, message) = refused(json!({"url": "ws://x\r\n"}), PROXY);
        assert_eq!(field, "options.url");
        assert!(message.contains("'\\r'"), "{message}");
        assert!(
            refused(json!({"url": "wss://me:pw@proxy.example/ws"}), PROXY)
                .1
                .contains("user:pass@")
        );
        assert!(refused(json!({"url": "ws:///x"}), PROXY)
            .1
            .contains("no host"));
        assert_eq!(refused(json!([1]), PROXY).0, "options");
        assert_eq!(
            refused(json!({"silenceMs": 500}), KIS_MOCK).0,
            "options.silenceMs"
        );
        assert_eq!(refused(Value::Null, PROXY).0, "options.url");
    }

    #[test]
    fn realtime_options_default_to_kiss_host_and_a_minute_of_silence() {
        let s = settings(&Value::Null, KIS_MOCK).unwrap();
        assert_eq!(s.url, "ws://ops.koreainvestment.com:31000");
        assert_eq!(s.silence_ms, 60_000.0);
        let given = json!({"url": "ws://127.0.0.1:8787/ws?x=1", "silenceMs": 0});
        let s = settings(&given, PROXY).unwrap();
        assert_eq!(
            (s.url.as_str(), s.silence_ms),
            ("ws://127.0.0.1:8787/ws?x=1", 0.0)
        );
        let nulls = json!({"url": null, "silenceMs": null});
        assert_eq!(settings(&nulls, KIS_MOCK).unwrap().silence_ms, 60_000.0);
    }
}

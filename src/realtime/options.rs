//! `realtime()`'s options, read as the client's are: unknown keys refused (a typo of
//! `silenceMs` must not fall back to the default silently), a wrong one named, and the socket's
//! URL checked before anything connects.

use serde::Deserialize;
use serde_json::Value;

use crate::env::{check_authority, kis_host_env, kis_realtime_env, shown, Env};
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

/// The options `v` (null when none were given) of a client of `env` whose REST calls go to
/// `base_url`. Without `url`, the socket goes to KIS's realtime host of that host's
/// environment; a `base_url` that is no KIS host (a proxy, a mock) needs one. A `url` on KIS's
/// realtime host of the other environment is refused: the client's approval key and TR IDs are
/// its own environment's, which that host would refuse only once connected.
pub fn settings(v: &Value, base_url: &str, env: Env) -> Result<Settings> {
    let o = match v {
        Value::Null => RealtimeOptions::default(),
        v => read::<RealtimeOptions>("options", v)?,
    };
    let url = match o.url {
        Some(u) => {
            let u = ws_url(&u)?;
            match kis_realtime_env(&u) {
                Some(host) if host != env => {
                    return Err(KisError::validation(
                        "options.url",
                        format!(
                            "is KIS's realtime host of the {} environment, and the client's env is \
                             {:?}, whose approval key and TR IDs that host refuses: {} is its own",
                            host.as_str(),
                            env.as_str(),
                            env.realtime_url()
                        ),
                    ))
                }
                _ => u,
            }
        }
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
        let e = settings(&v, base, Env::Mock).unwrap_err();
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
    fn b6_kiss_realtime_host_of_the_other_environment_is_refused_naming_this_ones() {
        let real = json!({"url": "ws://ops.koreainvestment.com:21000"});
        let e = settings(&real, PROXY, Env::Mock).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("options.url"));
        assert!(
            e.message.contains("of the real environment")
                && e.message
                    .contains("ws://ops.koreainvestment.com:31000 is its own"),
            "{}",
            e.message
        );
        let mock = json!({"url": "ws://OPS.koreainvestment.com:31000/tryitout"});
        assert!(settings(&mock, PROXY, Env::Real)
            .unwrap_err()
            .message
            .contains("of the mock environment"));
        // Its own environment's host, or any other host or port (a proxy, a tunnel), is taken.
        assert!(settings(&real, PROXY, Env::Real).is_ok());
        assert!(settings(&mock, PROXY, Env::Mock).is_ok());
        for port in ["8080", "1000", "000"] {
            let other = json!({ "url": format!("ws://ops.koreainvestment.com:{port}") });
            assert!(settings(&other, PROXY, Env::Mock).is_ok(), "{port}");
        }
    }

    #[test]
    fn realtime_options_default_to_kiss_host_and_a_minute_of_silence() {
        let s = settings(&Value::Null, KIS_MOCK, Env::Mock).unwrap();
        assert_eq!(s.url, "ws://ops.koreainvestment.com:31000");
        assert_eq!(s.silence_ms, 60_000.0);
        let given = json!({"url": "ws://127.0.0.1:8787/ws?x=1", "silenceMs": 0});
        let s = settings(&given, PROXY, Env::Real).unwrap();
        assert_eq!(
            (s.url.as_str(), s.silence_ms),
            ("ws://127.0.0.1:8787/ws?x=1", 0.0)
        );
        let nulls = json!({"url": null, "silenceMs": null});
        assert_eq!(
            settings(&nulls, KIS_MOCK, Env::Mock).unwrap().silence_ms,
            60_000.0
        );
    }
}

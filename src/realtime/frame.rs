//! The frames on KIS's realtime socket. A client sends JSON subscribe and unsubscribe requests;
//! KIS sends JSON answers (`SUBSCRIBE SUCCESS` with the AES key and iv, `ALREADY IN SUBSCRIBE`,
//! errors), `PINGPONG` frames to be sent straight back, and data frames
//! `0|H0STCNT0|004|f1^f2^…` (`1|…` encrypted) that pack `count` records of `^`-separated fields.

use serde_json::{json, Value};

use crate::env::CustType;
use crate::error::{ErrorKind, KisError};

/// The subscribe (`on`) or unsubscribe request of `tr_id` for `tr_key` (a symbol, or the HTS ID
/// for fill notices).
pub fn request(approval_key: &str, cust: CustType, tr_id: &str, tr_key: &str, on: bool) -> String {
    json!({
        "header": {
            "approval_key": approval_key,
            "custtype": cust.as_str(),
            "tr_type": if on { "1" } else { "2" },
            "content-type": "utf-8",
        },
        "body": { "input": { "tr_id": tr_id, "tr_key": tr_key } },
    })
    .to_string()
}

/// KIS's JSON answer to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub tr_id: String,
    pub tr_key: String,
    pub ok: bool,
    pub msg_cd: String,
    /// `SUBSCRIBE SUCCESS`, `UNSUBSCRIBE SUCCESS`, `ALREADY IN SUBSCRIBE`, an error.
    pub msg1: String,
    /// The AES key and iv of encrypted frames of this TR, on a successful subscribe.
    pub key: Option<String>,
    pub iv: Option<String>,
}

impl Answer {
    /// Whether it answers for the session rather than for one request: KIS's header then has
    /// no TR (`"(null)"`), as in `OPSP8996 ALREADY IN USE appkey`, said to a second connection of
    /// an app key before KIS closes it.
    pub fn of_session(&self) -> bool {
        matches!(self.tr_id.trim(), "" | "(null)")
    }

    /// Whether it answers an unsubscribe: KIS's own client (open-trading-api's `kis_auth.py`)
    /// tells these by `msg1` starting "UNSUB".
    pub fn of_unsubscribe(&self) -> bool {
        self.msg1.trim().starts_with("UNSUB")
    }

    /// Why KIS refused the subscription this answers (or, `of_session`, every request of the
    /// connection), as the error its subscriber gets; None when it took it (KIS answers a
    /// repeated one `ALREADY IN SUBSCRIBE`: still in place).
    pub fn refusal(&self) -> Option<KisError> {
        if self.ok || self.msg1.trim() == "ALREADY IN SUBSCRIBE" {
            return None;
        }
        let codes = format!("{} {}", self.msg_cd, self.msg1.trim());
        let message = if !self.of_session() {
            format!(
                "KIS refused the realtime subscription {} {}: {codes}",
                self.tr_id, self.tr_key
            )
        } else if self.msg_cd == IN_USE {
            format!(
                "KIS refused the realtime session: {codes}. Another connection of this app key \
                 holds KIS's one session (a client, script, tab or process of yours): close it, \
                 or subscribe through that one"
            )
        } else {
            format!("KIS refused the realtime session: {codes}")
        };
        let mut e = KisError::new(ErrorKind::Api, message).with_codes(&self.msg_cd, &self.msg1);
        e.tr_id = Some(self.tr_id.clone()).filter(|_| !self.of_session());
        Some(e)
    }
}

/// KIS's code for a second connection of an app key: one session an app key.
pub const IN_USE: &str = "OPSP8996";

#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A data frame: `payload` is the `^`-separated fields of `count` records (still encrypted,
    /// base64, when `encrypted`).
    Data {
        tr_id: String,
        encrypted: bool,
        count: usize,
        payload: String,
    },
    Answer(Answer),
    /// Send it back as it came, or KIS closes the connection.
    PingPong,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A frame as KIS sent it, or why it is not one.
pub fn parse(raw: &str) -> Result<Frame, String> {
    if let Some(flag) = raw.chars().next().filter(|c| *c == '0' || *c == '1') {
        let mut parts = raw.splitn(4, '|');
        let (_, tr_id, count, payload) = (parts.next(), parts.next(), parts.next(), parts.next());
        let (Some(tr_id), Some(count), Some(payload)) = (tr_id, count, payload) else {
            return Err(format!("a data frame needs 4 parts: {}", short(raw)));
        };
        let count = count.trim().parse::<usize>().map_err(|_| {
            format!(
                "a data frame's record count is not a number: {}",
                short(raw)
            )
        })?;
        return Ok(Frame::Data {
            tr_id: tr_id.to_string(),
            encrypted: flag == '1',
            count: count.max(1),
            payload: payload.to_string(),
        });
    }
    let v: Value =
        serde_json::from_str(raw).map_err(|_| format!("not a KIS frame: {}", short(raw)))?;
    let header = v.get("header").cloned().unwrap_or_default();
    if text(&header, "tr_id") == "PINGPONG" {
        return Ok(Frame::PingPong);
    }
    let body = v.get("body").cloned().unwrap_or_default();
    let output = body.get("output").cloned().unwrap_or_default();
    let opt = |k: &str| Some(text(&output, k)).filter(|s| !s.is_empty());
    Ok(Frame::Answer(Answer {
        tr_id: text(&header, "tr_id"),
        tr_key: text(&header, "tr_key"),
        ok: text(&body, "rt_cd") == "0",
        msg_cd: text(&body, "msg_cd"),
        msg1: text(&body, "msg1"),
        key: opt("key"),
        iv: opt("iv"),
    }))
}

/// The `count` records of a payload: its fields in `count` runs of equal length. A payload
/// that `unpacked` refuses comes back as one record; the session never hands one on.
pub fn records(payload: &str, count: usize) -> Vec<Vec<&str>> {
    let fields: Vec<&str> = payload.split('^').collect();
    let per = fields.len() / count.max(1);
    if per == 0 || per * count != fields.len() || count == 1 {
        return vec![fields];
    }
    fields.chunks(per).map(<[&str]>::to_vec).collect()
}

/// Why a payload of more than one record does not split into `count` records of equal length,
/// if it does not. Such a frame is cut or garbled: any split of it, or taking it whole as one
/// record, would name one trade's fields by another's columns (a price beside another symbol's
/// volume), so it is not handed on.
pub fn unpacked(tr_id: &str, payload: &str, count: usize) -> Option<String> {
    // Most frames hold one record: their fields are not counted here, only when split.
    if count <= 1 {
        return None;
    }
    let fields = payload.split('^').count();
    (fields % count != 0).then(|| {
        format!(
            "a {tr_id} frame of {count} records whose {fields} fields do not split evenly into \
             them, dropped"
        )
    })
}

fn short(raw: &str) -> String {
    raw.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscribe_request_is_kis_json() {
        let r: Value = serde_json::from_str(&request(
            "approval-xyz",
            CustType::Personal,
            "H0STCNT0",
            "005930",
            true,
        ))
        .unwrap();
        assert_eq!(r["header"]["tr_type"], "1");
        assert_eq!(r["header"]["custtype"], "P");
        assert_eq!(r["body"]["input"]["tr_key"], "005930");
        let off: Value = serde_json::from_str(&request(
            "k",
            CustType::Personal,
            "H0STCNT0",
            "005930",
            false,
        ))
        .unwrap();
        assert_eq!(off["header"]["tr_type"], "2");
    }

    #[test]
    fn data_frames_split_into_their_records() {
        let f = parse("0|H0STCNT0|002|005930^093015^71000^000660^093015^190000").unwrap();
        let Frame::Data {
            tr_id,
            encrypted,
            count,
            payload,
        } = f
        else {
            panic!()
        };
        assert_eq!((tr_id.as_str(), encrypted, count), ("H0STCNT0", false, 2));
        let recs = records(&payload, count);
        assert_eq!(
            recs,
            vec![
                vec!["005930", "093015", "71000"],
                vec!["000660", "093015", "190000"]
            ]
        );
        assert!(matches!(
            parse("1|H0STCNI0|001|c2VhbGVk").unwrap(),
            Frame::Data {
                encrypted: true,
                ..
            }
        ));
        assert!(parse("0|H0STCNT0").is_err());
        assert!(parse("0|H0STCNT0|x|a^b").is_err());
        assert_eq!(unpacked("H0STCNT0", &payload, count), None);
        assert_eq!(
            unpacked("H0STCNT0", "a^b^c", 1),
            None,
            "one record as it is"
        );
        for (payload, count) in [("a^b^c", 2), ("a", 2), ("a^b^c^d^e", 4)] {
            let why = unpacked("H0STCNT0", payload, count).unwrap();
            assert!(
                why.contains(&format!("{count} records")) && why.contains("H0STCNT0"),
                "{why}"
            );
        }
    }

    #[test]
    fn answers_and_pingpong() {
        let ok = r#"{"header":{"tr_id":"H0STCNI0","tr_key":"hts-id","encrypt":"N"},"body":{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{"iv":"fedcba9876543210","key":"0123456789abcdef0123456789abcdef"}}}"#;
        let Frame::Answer(a) = parse(ok).unwrap() else {
            panic!()
        };
        assert!(a.ok);
        assert_eq!(a.key.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(a.iv.as_deref(), Some("fedcba9876543210"));
        let again = r#"{"header":{"tr_id":"H0STCNT0","tr_key":"005930","encrypt":"N"},"body":{"rt_cd":"1","msg_cd":"OPSP0002","msg1":"ALREADY IN SUBSCRIBE"}}"#;
        let Frame::Answer(a) = parse(again).unwrap() else {
            panic!()
        };
        assert!(!a.ok && a.msg1 == "ALREADY IN SUBSCRIBE" && a.key.is_none());
        assert!(
            a.refusal().is_none(),
            "a repeated subscription is still in place"
        );
        let refused = r#"{"header":{"tr_id":"H0STCNI9","tr_key":"hts-id","encrypt":"N"},"body":{"rt_cd":"1","msg_cd":"OPSP0002","msg1":"invalid tr_id"}}"#;
        let Frame::Answer(a) = parse(refused).unwrap() else {
            panic!()
        };
        let e = a.refusal().unwrap();
        assert_eq!(e.kind, ErrorKind::Api);
        assert_eq!(e.msg_cd.as_deref(), Some("OPSP0002"));
        assert_eq!(e.tr_id.as_deref(), Some("H0STCNI9"));
        assert!(e.message.contains("H0STCNI9 hts-id"), "{}", e.message);
        assert!(!a.of_session());
        // KIS's words to a second connection of an app key (the official samples quote them).
        let in_use = r#"{"header":{"tr_id":"(null)","tr_key":"","encrypt":"N"},"body":{"rt_cd":"9","msg_cd":"OPSP8996","msg1":"ALREADY IN USE appkey"}}"#;
        let Frame::Answer(a) = parse(in_use).unwrap() else {
            panic!()
        };
        assert!(a.of_session());
        let e = a.refusal().unwrap();
        assert_eq!(
            (e.kind, e.msg_cd.as_deref()),
            (ErrorKind::Api, Some(IN_USE))
        );
        assert_eq!(e.tr_id, None);
        assert!(
            e.message.starts_with("KIS refused the realtime session: OPSP8996 ALREADY IN USE appkey. Another connection of this app key"),
            "{}",
            e.message
        );
        let ping = r#"{"header":{"tr_id":"PINGPONG","datetime":"20261204093015"}}"#;
        assert_eq!(parse(ping).unwrap(), Frame::PingPong);
        assert!(parse("<html>").is_err());
    }
}

//! Classifying a KIS answer. KIS puts the real outcome in the body (`rt_cd`, `msg_cd`, or
//! tokenP's `error_code`) whatever the HTTP status, so the status alone decides nothing. This is
//! the one place that decides; the retry loop only acts on the verdict.

use crate::row::Object;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx with a JSON object whose `rt_cd` is "0" or absent.
    Ok,
    /// 401, or `EGW00121` (invalid token) / `EGW00123` (expired token) at any status.
    TokenRejected,
    /// `EGW00201`: the gateway refused the call for the per-second limit; it never ran.
    GatewayBusy,
    /// `EGW00133`: tokenP throttle (one issuance a minute).
    IssueThrottled,
    /// Any other KIS envelope with a failure code: KIS's definitive answer.
    Api,
    /// 5xx without a KIS envelope (gateway page, empty or cut body), or a 4xx or 5xx whose
    /// body says `rt_cd` "0": may be transient, and a write may have been done.
    Transient,
    /// Any other non-2xx without a KIS envelope.
    Http,
    /// 2xx whose body is not a JSON object.
    Decode,
}

/// The codes a KIS body carries, from either body shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Codes {
    /// `rt_cd` other than "0", or a tokenP `error_code`.
    pub failed: bool,
    /// `rt_cd` "0": the body says the call was done.
    pub done: bool,
    pub msg_cd: String,
    pub msg1: String,
}

/// The envelope of a body read as an object, if it is a KIS one.
pub fn codes(obj: &Object) -> Option<Codes> {
    let text = |key| obj.string(key).map(Into::into).unwrap_or_default();
    if obj.get("rt_cd").is_some() || obj.get("msg_cd").is_some() {
        let rt_cd = obj.string("rt_cd");
        Some(Codes {
            failed: rt_cd.as_deref().is_some_and(|r| r != "0"),
            done: rt_cd.as_deref() == Some("0"),
            msg_cd: text("msg_cd"),
            msg1: text("msg1"),
        })
    } else if obj.get("error_code").is_some() {
        Some(Codes {
            failed: true,
            done: false,
            msg_cd: text("error_code"),
            msg1: text("error_description"),
        })
    } else {
        None
    }
}

pub struct Classified<'a> {
    pub verdict: Verdict,
    pub codes: Codes,
    /// The body's top-level fields, when it is a JSON object.
    pub body: Option<Object<'a>>,
}

/// The verdict on an answer. Its body is read only as far as its top-level fields (the
/// rest is checked to be JSON, not built): the caller reads what it needs from them.
pub fn classify(status: u16, body_text: &str) -> Classified<'_> {
    let body = Object::read(body_text).ok();
    let env = body.as_ref().and_then(codes);
    let success = (200..300).contains(&status);
    let verdict = match env.as_ref().map(|c| c.msg_cd.as_str()) {
        Some("EGW00121") | Some("EGW00123") => Verdict::TokenRejected,
        Some("EGW00201") => Verdict::GatewayBusy,
        Some("EGW00133") => Verdict::IssueThrottled,
        _ if status == 401 => Verdict::TokenRejected,
        // The status says it failed and the body that it was done: not KIS's definitive answer
        // either way, so an order is looked up rather than reported refused (and placed again).
        _ if status >= 400 && env.as_ref().is_some_and(|c| c.done) => Verdict::Transient,
        _ if success => match (&body, &env) {
            (Some(_), Some(c)) if c.failed => Verdict::Api,
            (Some(_), _) => Verdict::Ok,
            _ => Verdict::Decode,
        },
        Some(_) => Verdict::Api,
        None if status >= 500 => Verdict::Transient,
        None => Verdict::Http,
    };
    Classified {
        verdict,
        codes: env.unwrap_or_default(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(status: u16, body: &str) -> Verdict {
        classify(status, body).verdict
    }

    #[test]
    fn b1_classifies_by_msg_cd_whatever_the_status() {
        let expired = r#"{"rt_cd":"1","msg_cd":"EGW00123","msg1":"기간이 만료된 token 입니다."}"#;
        assert_eq!(v(500, expired), Verdict::TokenRejected);
        assert_eq!(v(200, expired), Verdict::TokenRejected);
        let invalid = r#"{"rt_cd":"1","msg_cd":"EGW00121","msg1":"유효하지 않은 token 입니다."}"#;
        assert_eq!(v(500, invalid), Verdict::TokenRejected);
        let busy = r#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}"#;
        assert_eq!(v(500, busy), Verdict::GatewayBusy);
        assert_eq!(v(200, busy), Verdict::GatewayBusy);
        let throttle = r#"{"error_code":"EGW00133","error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"}"#;
        assert_eq!(v(403, throttle), Verdict::IssueThrottled);
    }

    #[test]
    fn b1_a_5xx_with_another_kis_code_is_definitive() {
        let other = r#"{"rt_cd":"1","msg_cd":"APBK0919","msg1":"주문가능금액을 초과 했습니다"}"#;
        assert_eq!(v(500, other), Verdict::Api);
        assert_eq!(v(200, other), Verdict::Api);
    }

    #[test]
    fn s7_5xx_without_envelope_is_transient_and_4xx_is_not() {
        assert_eq!(v(502, "<html>Bad Gateway</html>"), Verdict::Transient);
        assert_eq!(v(500, ""), Verdict::Transient);
        assert_eq!(v(503, r#"{"rt_cd":"0","#), Verdict::Transient);
        assert_eq!(v(404, "Not Found"), Verdict::Http);
        assert_eq!(v(401, ""), Verdict::TokenRejected);
        assert_eq!(
            v(
                403,
                r#"{"error_code":"EGW00103","error_description":"유효하지 않은 AppKey입니다."}"#
            ),
            Verdict::Api
        );
    }

    #[test]
    fn b1_a_failing_status_whose_body_says_done_is_not_a_definitive_failure() {
        let done =
            r#"{"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료","output":{"ODNO":"1"}}"#;
        for status in [500, 502, 404, 409] {
            assert_eq!(v(status, done), Verdict::Transient, "{status}");
        }
        assert_eq!(v(200, done), Verdict::Ok);
        assert_eq!(v(401, done), Verdict::TokenRejected);
        // A body with codes but no rt_cd is not one that says it was done.
        assert_eq!(v(500, r#"{"msg_cd":"EGW00002","msg1":"x"}"#), Verdict::Api);
    }

    #[test]
    fn success_and_decode() {
        assert_eq!(
            v(200, r#"{"rt_cd":"0","msg_cd":"MCA00000","output":{}}"#),
            Verdict::Ok
        );
        assert_eq!(
            v(200, r#"{"access_token":"x","expires_in":86400}"#),
            Verdict::Ok
        );
        assert_eq!(v(200, "<html>proxy</html>"), Verdict::Decode);
        assert_eq!(v(200, r#"{"rt_cd":"0","output":{"#), Verdict::Decode);
        assert_eq!(v(200, "[1,2]"), Verdict::Decode);
    }
}

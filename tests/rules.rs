//! Every behaviour rule of the design (S1–S9 from the seed, B1–B9 beyond it) against a fake KIS
//! and a virtual clock: no network, no real sleeping.
#![allow(clippy::disallowed_macros)]

mod common;

use common::*;
use futures::future::join_all;
use kis_wasm::engine::transport::{Clock, Method};
use kis_wasm::error::Result as KisResult;
use kis_wasm::models::OrderAck;
use kis_wasm::testing::{fnv_hex, Scripted, THROTTLED};
use kis_wasm::{ErrorKind, KisError};
use serde_json::json;
use serde_json::Value;

const PRICE: &str = "/inquire-price";
const ORDER: &str = "/order-cash";
const TOKEN: &str = "/oauth2/tokenP";
const CCLD: &str = "/inquire-daily-ccld";

fn buy_one() -> Value {
    json!({"symbol": "005930", "quantity": 1})
}

#[test]
fn s1_uapi_calls_carry_the_required_headers() {
    let w = world(json!({}));
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let r = &w.kis.requests_to(PRICE)[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(r
        .header("authorization")
        .unwrap()
        .starts_with("Bearer fake-access-token-"));
    assert_eq!(r.header("appkey"), Some(APP_KEY));
    assert_eq!(r.header("appsecret"), Some(APP_SECRET));
    assert_eq!(r.header("tr_id"), Some("FHKST01010100"));
    assert_eq!(r.header("custtype"), Some("P"));
    assert_eq!(r.header("hashkey"), None, "GETs carry no hashkey");
}

#[test]
fn s1_s2_posts_carry_the_hashkey_of_their_exact_body() {
    let w = world(json!({}));
    w.run(
        w.core
            .buy(&json!({"symbol": "005930", "quantity": 3, "price": 70000})),
    )
    .unwrap();
    let hk = &w.kis.requests_to("/uapi/hashkey")[0];
    let order = &w.kis.requests_to(ORDER)[0];
    assert_eq!(
        hk.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(hk.header("appKey"), Some(APP_KEY));
    assert_eq!(hk.header("appSecret"), Some(APP_SECRET));
    assert_eq!(hk.header("custtype"), None);
    assert_eq!(hk.header("authorization"), None);
    assert_eq!(
        hk.body, order.body,
        "the POST sends the hashed body byte for byte"
    );
    assert_eq!(
        order.header("hashkey").unwrap(),
        fnv_hex(order.body.as_deref().unwrap())
    );
    assert_eq!(order.header("custtype"), Some("P"));
    assert!(w.kis.violations.borrow().is_empty());
    let hashkey_events = w
        .rec
        .events
        .borrow()
        .iter()
        .filter(|e| e.path.as_deref() == Some("/uapi/hashkey"))
        .count();
    assert_eq!(hashkey_events, 2, "the request log shows the hashkey call");
}

#[test]
fn hashkey_404_sends_the_post_without_it_and_warns_once() {
    let w = world(json!({}));
    w.kis.hashkey_missing.set(true);
    w.run(w.core.buy(&buy_one())).unwrap();
    w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(w.count("/uapi/hashkey"), 1);
    assert!(w
        .kis
        .requests_to(ORDER)
        .iter()
        .all(|r| r.header("hashkey").is_none()));
    assert_eq!(
        w.rec
            .warns
            .borrow()
            .iter()
            .filter(|l| l.contains("hashkey"))
            .count(),
        1
    );
}

#[test]
fn hashkey_false_skips_the_hashkey_call() {
    let w = world(json!({"hashkey": false}));
    w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(w.count("/uapi/hashkey"), 0);
    assert_eq!(w.count(ORDER), 1);
}

#[test]
fn s3_orders_use_the_tr_ids_of_the_environment_and_set() {
    let w = world(json!({}));
    w.run(w.core.buy(&buy_one())).unwrap();
    w.run(w.core.sell(&buy_one())).unwrap();
    let ids: Vec<_> = w
        .kis
        .requests_to(ORDER)
        .iter()
        .map(|r| r.header("tr_id").unwrap().to_string())
        .collect();
    assert_eq!(ids, ["VTTC0012U", "VTTC0011U"]);
    let w = world(
        json!({"trIds": "legacy", "env": "real", "baseUrl": "https://openapi.koreainvestment.com:9443"}),
    );
    w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(
        w.kis.requests_to(ORDER)[0].header("tr_id"),
        Some("TTTC0802U")
    );
}

#[test]
fn s4_a_failure_logs_status_path_tr_id_and_body_first() {
    let w = world(json!({}));
    let body = r#"{"rt_cd":"1","msg_cd":"APBK0919","msg1":"주문가능금액을 초과 했습니다"}"#;
    w.kis
        .script(ORDER, vec![Scripted::Respond(500, body.into())]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    assert_eq!(e.msg_cd.as_deref(), Some("APBK0919"));
    let errors = w.rec.errors.borrow();
    let line = errors.last().unwrap();
    for part in [
        "500",
        "/uapi/domestic-stock/v1/trading/order-cash",
        "VTTC0012U",
        "APBK0919",
        "주문가능금액",
    ] {
        assert!(line.contains(part), "{part} missing from {line}");
    }
}

#[test]
fn s5_token_is_issued_lazily_reused_and_renewed_after_23_hours() {
    let w = world(json!({}));
    assert!(w.core.token_info().is_none());
    assert_eq!(w.count(TOKEN), 0, "no token before the first call");
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(w.count(TOKEN), 1);
    let info = w.core.token_info().unwrap();
    let issued = w.kis.requests_to(TOKEN)[0].at;
    assert_eq!(
        info.expires_at,
        issued + 23.0 * 3600e3,
        "23 h, though KIS said 24"
    );
    assert!(!info.is_expired && !info.is_expiring_soon);
    w.clock.set(info.expires_at - 3600e3 + 1.0);
    assert!(w.core.token_info().unwrap().is_expiring_soon);
    w.clock.set(info.expires_at);
    assert!(w.core.token_info().unwrap().is_expired);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(w.count(TOKEN), 2);
}

/// tokenP's answer with KIS's date of expiry `hours` from the virtual clock's now (KST).
fn token_expiring(w: &World, access_token: &str, expires_in: i64, hours: f64) -> String {
    let at = kis_wasm::kst::kst_datetime(w.clock.now_ms() + hours * 3600e3);
    json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in,
        "access_token_token_expired": at})
    .to_string()
}

#[test]
fn s5_a_stated_expiry_already_past_is_taken_for_a_wrong_clock_not_a_dead_token() {
    // This machine's clock two days fast: KIS's date of expiry reads as yesterday.
    let w = world(json!({}));
    let answer = token_expiring(&w, "token-of-a-fast-clock-0123456789", 86400, -24.0);
    w.kis.script(TOKEN, vec![Scripted::Respond(200, answer)]);
    w.kis.accept_token("token-of-a-fast-clock-0123456789");
    let start = w.clock.now_ms();
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(
        w.count(TOKEN),
        1,
        "issued once and used, not issued again at once"
    );
    let info = w.core.token_info().unwrap();
    assert_eq!(
        info.expires_at,
        start + 23.0 * 3600e3,
        "its life from expires_in"
    );
    let warns = w.rec.warns.borrow();
    assert_eq!(warns.len(), 1, "{warns:?}");
    assert!(warns[0].contains("clock is likely wrong"), "{}", warns[0]);
    drop(warns);

    // A date in the future still shortens the token's life, as KIS says.
    let w = world(json!({}));
    let answer = token_expiring(&w, "token-with-a-near-expiry-012345", 86400, 2.0);
    w.kis.script(TOKEN, vec![Scripted::Respond(200, answer)]);
    w.kis.accept_token("token-with-a-near-expiry-012345");
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let issued = w.kis.requests_to(TOKEN)[0].at;
    // KIS's date has whole seconds.
    let left = w.core.token_info().unwrap().expires_at - issued;
    assert!((left - 2.0 * 3600e3).abs() < 1000.0, "{left}");
    assert!(w.rec.warns.borrow().is_empty());
}

#[test]
fn s5_a_token_that_expires_as_it_arrives_is_refused_by_what_it_is() {
    let w = world(json!({}));
    let secret = "token-dead-on-arrival-0123456789abcdef";
    let answer = token_expiring(&w, secret, 0, 24.0);
    w.kis.script(TOKEN, vec![Scripted::Respond(200, answer)]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("expires as it arrives"), "{}", e.message);
    assert_eq!(w.count(PRICE), 0, "nothing sent with it");
    assert!(w.core.token_info().is_none(), "not taken");
    // Before, the next call issued again, and the caller saw the minute's refusal instead.
    let body = e.body.clone().unwrap_or_default();
    assert!(!body.contains(secret), "masked in the error's body: {body}");
    for line in w.rec.errors.borrow().iter() {
        assert!(!line.contains(secret), "masked in the log: {line}");
    }
}

#[test]
fn s6_401_forces_one_refresh_and_one_retry() {
    let w = world(json!({}));
    w.kis
        .script(PRICE, vec![Scripted::Respond(401, String::new())]);
    let q = w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(q.price, Some(70000.0));
    assert_eq!(w.count(TOKEN), 2);
    assert_eq!(w.count(PRICE), 2);
}

#[test]
fn s6_a_second_401_fails_without_looping() {
    let w = world(json!({}));
    w.kis
        .script(PRICE, vec![Scripted::Respond(401, String::new()); 5]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TokenRejected);
    assert_eq!(w.count(TOKEN), 2);
    assert_eq!(w.count(PRICE), 2);
}

#[test]
fn b1_http_500_egw00123_is_a_token_rejection() {
    let w = world(json!({}));
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    w.kis.expire_tokens();
    let q = w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(q.symbol, "005930");
    assert_eq!(
        w.count(TOKEN),
        2,
        "refresh within the minute is S6's one exception"
    );
    assert_eq!(w.count(PRICE), 3);
}

#[test]
fn s6_a_rejected_token_is_not_taken_back_from_the_store() {
    let w = world(json!({}));
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let expired = r#"{"rt_cd":"1","msg_cd":"EGW00123","msg1":"기간이 만료된 token 입니다."}"#;
    w.kis
        .script(PRICE, vec![Scripted::Respond(500, expired.into())]);
    w.kis
        .script(TOKEN, vec![Scripted::Respond(403, THROTTLED.into())]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.msg_cd.as_deref(), Some("EGW00133"));
    let sent = w.count(PRICE);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited, "{}", e.message);
    assert_eq!(
        w.count(PRICE),
        sent,
        "the rejected token was not sent again"
    );
}

const REVOKE: &str = "/oauth2/revokeP";

/// The token the world's store keeps (it has one key).
fn stored_token(w: &World) -> String {
    let tokens = w.store.tokens.borrow();
    tokens.values().next().unwrap().access_token.clone()
}

#[test]
fn s5_revoke_token_has_kis_forget_it_here_and_in_the_store() {
    let w = world(json!({}));
    w.kis.issue_gap_ms.set(60_000.0);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let token = stored_token(&w);
    assert!(w.run(w.core.revoke_token()).unwrap());
    let sent: Value =
        serde_json::from_str(w.kis.requests_to(REVOKE)[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({"appkey": APP_KEY, "appsecret": APP_SECRET, "token": token})
    );
    assert!(
        w.core.token_info().is_none(),
        "kis.token is null once revoked"
    );
    // The store keeps it as expired, so that no client on it takes it back.
    let kept = w.store.tokens.borrow().values().next().unwrap().clone();
    assert_eq!(kept.access_token, token);
    assert!(kept.expires_at <= w.clock.now_ms());
    let other = beside(&w);
    let e = w.run(other.core.get_price(&sym("005930"))).unwrap_err();
    // It asks for a new one, which KIS refuses within the minute of the first.
    assert_eq!(e.msg_cd.as_deref(), Some("EGW00133"), "{}", e.message);
    // The next call is issued a new token once KIS's minute allows one.
    w.clock.set(w.clock.now_ms() + 60_000.0);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(
        w.count(TOKEN),
        3,
        "the first, the other's refused, the new one"
    );
    let bearer = |r: &kis_wasm::testing::Recorded| r.header("authorization").unwrap().to_string();
    let last = w.kis.requests_to(PRICE).last().map(bearer).unwrap();
    assert_ne!(
        last,
        format!("Bearer {token}"),
        "the revoked token is not sent again"
    );
    let events = w.rec.events.borrow();
    let revoked: Vec<_> = events
        .iter()
        .filter(|e| e.path.as_deref() == Some(REVOKE))
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        (revoked[0].status, revoked[0].reason),
        (Some(200), Some("revoked"))
    );
    drop(events);
    w.assert_no_secrets("");
}

#[test]
fn s5_revoke_token_without_a_live_token_sends_nothing() {
    let w = world(json!({}));
    assert!(!w.run(w.core.revoke_token()).unwrap());
    assert_eq!(w.count(REVOKE), 0);
    assert_eq!(w.count(TOKEN), 0, "no token is issued to be revoked");
    // One another script left in the store is revoked: a script run to end a leak.
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let other = beside(&w);
    assert!(w.run(other.core.revoke_token()).unwrap());
    assert_eq!(w.count(REVOKE), 1);
    // A token KIS says is already dead is forgotten, and nothing was revoked.
    let w = world(json!({}));
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    w.kis.expire_tokens();
    assert!(!w.run(w.core.revoke_token()).unwrap());
    assert!(w.core.token_info().is_none());
}

#[test]
fn s5_a_failed_revocation_keeps_the_token_and_shows_no_secret() {
    let w = world(json!({}));
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let token = stored_token(&w);
    let echo =
        format!(r#"{{"error_code":"EGW00002","error_description":"bad {token} {APP_SECRET}"}}"#);
    w.kis
        .script(REVOKE, vec![Scripted::Respond(400, echo), Scripted::Reset]);
    let e = w.run(w.core.revoke_token()).unwrap_err();
    assert_eq!(
        (e.kind, e.msg_cd.as_deref()),
        (ErrorKind::Api, Some("EGW00002"))
    );
    assert!(
        e.message.contains("/oauth2/revokeP") || e.path.as_deref() == Some(REVOKE),
        "{e:?}"
    );
    let e2 = w.run(w.core.revoke_token()).unwrap_err();
    assert_eq!(e2.kind, ErrorKind::Network);
    assert!(
        e2.message.contains("may or may not have revoked"),
        "{}",
        e2.message
    );
    assert!(
        w.core.token_info().is_some(),
        "kept: KIS did not say it forgot it"
    );
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(w.count(TOKEN), 1);
    w.assert_no_secrets(&format!("{e:?} {e2:?}"));
}

#[test]
fn b1_egw00201_waits_and_succeeds() {
    let w = world(json!({}));
    let busy = r#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}"#;
    w.kis
        .script(PRICE, vec![Scripted::Respond(500, busy.into()); 2]);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let reqs = w.kis.requests_to(PRICE);
    assert_eq!(reqs.len(), 3);
    assert!(reqs[1].at - reqs[0].at >= 1000.0, "waited before retrying");
    let waits = w
        .rec
        .events
        .borrow()
        .iter()
        .filter(|e| e.reason == Some("rateLimit"))
        .count();
    assert_eq!(waits, 2);
}

#[test]
fn b1_egw00201_on_an_order_is_retried_and_books_one_order() {
    let w = world(json!({}));
    let busy = r#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}"#;
    w.kis
        .script(ORDER, vec![Scripted::Respond(500, busy.into())]);
    let ack = w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(w.kis.orders.borrow().len(), 1);
    assert_eq!(ack.order_no, w.kis.orders.borrow()[0].order_no);
    assert_eq!(w.count(CCLD), 0, "a gateway refusal needs no lookup");
}

#[test]
fn b1_egw00201_gives_up_with_rate_limited() {
    let w = world(json!({}));
    let busy = r#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}"#;
    w.kis
        .script(PRICE, vec![Scripted::Respond(500, busy.into()); 20]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(w.count(PRICE), 5, "bounded");
}

#[test]
fn b1_egw00133_fails_with_retry_after_and_is_not_asked_again() {
    let w = world(json!({}));
    w.kis
        .script(TOKEN, vec![Scripted::Respond(403, THROTTLED.into())]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.msg_cd.as_deref(), Some("EGW00133"));
    assert_eq!(e.retry_after_ms, Some(60_000));
    assert_eq!(w.count(TOKEN), 1);
    assert_eq!(w.count(PRICE), 0);
    let e2 = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e2.kind, ErrorKind::RateLimited);
    assert_eq!(w.count(TOKEN), 1, "no hammering within the minute");
}

#[test]
fn b1_a_5xx_with_another_kis_code_is_final() {
    let w = world(json!({}));
    let body = r#"{"rt_cd":"1","msg_cd":"OPSQ0002","msg1":"없는 서비스 코드 입니다"}"#;
    w.kis
        .script(PRICE, vec![Scripted::Respond(500, body.into()); 3]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    assert_eq!(e.status, Some(500));
    assert_eq!(w.count(PRICE), 1);
}

#[test]
fn s7_5xx_twice_then_ok_takes_three_attempts_a_second_apart() {
    let w = world(json!({}));
    w.kis.script(
        PRICE,
        vec![
            Scripted::Respond(502, "<html>Bad Gateway</html>".into()),
            Scripted::Respond(503, String::new()),
        ],
    );
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let reqs = w.kis.requests_to(PRICE);
    assert_eq!(reqs.len(), 3);
    assert!(reqs[1].at - reqs[0].at >= 1000.0);
    assert!(reqs[2].at - reqs[1].at >= 1000.0);
}

#[test]
fn s7_5xx_three_times_fails_after_three_attempts() {
    let w = world(json!({}));
    w.kis.script(
        PRICE,
        vec![Scripted::Respond(504, "<html>Gateway Timeout</html>".into()); 3],
    );
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Http);
    assert_eq!(e.status, Some(504));
    assert_eq!(e.tr_id.as_deref(), Some("FHKST01010100"));
    assert_eq!(
        e.path.as_deref(),
        Some("/uapi/domestic-stock/v1/quotations/inquire-price")
    );
    assert_eq!(w.count(PRICE), 3);
}

#[test]
fn s7_4xx_and_business_errors_are_never_retried() {
    let w = world(json!({}));
    w.kis
        .script(PRICE, vec![Scripted::Respond(404, "Not Found".into())]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!((e.kind, w.count(PRICE)), (ErrorKind::Http, 1));
    let biz = r#"{"rt_cd":"7","msg_cd":"APBK0919","msg1":"잔고부족"}"#;
    w.kis
        .script(ORDER, vec![Scripted::Respond(200, biz.into())]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!((e.kind, w.count(ORDER)), (ErrorKind::Api, 1));
}

#[test]
fn s7_network_errors_on_reads_are_retried_and_reported_with_cause() {
    let w = world(json!({}));
    w.kis.script(PRICE, vec![Scripted::Reset; 3]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(e.cause.as_ref().unwrap().message.contains("hang up"));
    assert_eq!(w.count(PRICE), 3);
    w.kis.script(PRICE, vec![Scripted::Timeout]);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
}

/// Runs the 30-minute refresher for `ms` of virtual time, then stops it.
fn refresh_for(w: &World, stop: &std::cell::Cell<bool>, ms: f64) {
    w.run(async {
        let refresher = w.core.run_token_refresh(30.0 * 60e3, |ms| async move {
            w.clock.sleep(ms).await;
            !stop.get()
        });
        let stopper = async {
            w.clock.sleep(ms).await;
            stop.set(true);
        };
        futures::join!(refresher, stopper);
    });
}

#[test]
fn s8_preemptive_refresh_runs_every_30_minutes_when_expiring_within_the_hour() {
    let w = world(json!({}));
    let stop = std::cell::Cell::new(false);
    // No token yet: the scheduler creates nothing.
    refresh_for(&w, &stop, 2.0 * 3600e3);
    assert_eq!(w.count(TOKEN), 0);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let expires = w.core.token_info().unwrap().expires_at;
    stop.set(false);
    refresh_for(&w, &stop, 23.0 * 3600e3);
    assert_eq!(w.count(TOKEN), 2, "refreshed once, in the last hour");
    let refresh_at = w.kis.requests_to(TOKEN)[1].at;
    assert!(refresh_at >= expires - 3600e3 && refresh_at < expires);
}

#[test]
fn s8_skipped_without_keys() {
    let w = world(json!({"appKey": "", "appSecret": ""}));
    assert!(!w.run(w.core.refresh_if_expiring_soon()).unwrap());
    assert!(w.kis.requests.borrow().is_empty());
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("options.appKey"));
}

#[test]
fn b2_fifty_concurrent_cold_calls_make_one_token_request() {
    let w = world(json!({}));
    let s = sym("005930");
    let results = w.run(join_all((0..50).map(|_| w.core.get_price(&s))));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(w.count(TOKEN), 1);
    assert_eq!(w.count(PRICE), 50);
}

#[test]
fn b2_no_second_issuance_within_a_minute() {
    let w = world(json!({}));
    w.run(w.core.ensure_token()).unwrap();
    let e = w.run(w.core.force_refresh_token()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert!(e.retry_after_ms.unwrap() <= 60_000);
    assert_eq!(w.count(TOKEN), 1);
    w.clock.set(w.clock_now() + 61_000.0);
    w.run(w.core.force_refresh_token()).unwrap();
    assert_eq!(w.count(TOKEN), 2);
}

#[test]
fn b2_a_clock_set_back_an_hour_delays_the_next_issuance_a_minute_at_most() {
    let w = world(json!({}));
    w.run(w.core.ensure_token()).unwrap();
    w.clock.set(w.clock_now() + 120_000.0);
    // Set back an hour: the last issuance reads an hour ahead, which refused a new token for
    // the hour.
    w.clock.set(w.clock_now() - 3_600_000.0);
    let e = w.run(w.core.force_refresh_token()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert!(
        e.retry_after_ms.unwrap() <= 60_000,
        "{:?}",
        e.retry_after_ms
    );
    // A minute later the client asks again. (The fake KIS, on the same clock, refuses it:
    // KIS's own clock was never set back.)
    w.clock.set(w.clock_now() + 61_000.0);
    let _ = w.run(w.core.force_refresh_token());
    assert_eq!(w.count(TOKEN), 2);
}

trait Now {
    fn clock_now(&self) -> f64;
}
impl Now for World {
    fn clock_now(&self) -> f64 {
        use kis_wasm::engine::transport::Clock;
        self.clock.now_ms()
    }
}

#[test]
fn b3_a_stored_token_is_reused_by_another_client_and_kept_apart_by_env() {
    let a = world(json!({}));
    a.run(a.core.get_price(&sym("005930"))).unwrap();
    let key = a.core.store_key();
    assert!(!key.contains(APP_KEY) && !key.contains(APP_SECRET));
    let b = beside(&a);
    b.run(b.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(a.count(TOKEN), 1, "second client reused the stored token");
    let real = world_with(
        json!({"env": "real"}),
        a.clock.clone(),
        a.kis.clone(),
        a.store.clone(),
    );
    assert_ne!(real.core.store_key(), key);
    a.clock.set(a.clock_now() + 120_000.0);
    real.run(real.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(
        a.count(TOKEN),
        2,
        "a real-env client does not take the mock token"
    );
}

#[test]
fn b3_a_stored_token_that_cannot_be_sent_is_warned_of_and_passed_over() {
    let huge = "t".repeat(kis_wasm::headers::MAX_ISSUED_LEN + 1);
    for spoiled in ["", "abc\r\nx-evil: 1", "토큰", huge.as_str()] {
        let a = world(json!({}));
        let now = a.clock_now();
        a.store.tokens.borrow_mut().insert(
            a.core.store_key(),
            kis_wasm::models::StoredToken {
                access_token: spoiled.to_string(),
                expires_at: now + 3_600_000.0,
                issued_at: now,
            },
        );
        a.run(a.core.get_price(&sym("005930"))).unwrap();
        assert_eq!(a.count(TOKEN), 1, "{spoiled:?}: a new token issued");
        let warns = a.rec.warns.borrow();
        assert_eq!(warns.len(), 1, "{spoiled:?}: {warns:?}");
        assert!(warns[0].contains("returned a token that cannot be sent"));
        assert!(
            !warns[0].contains("x-evil") && !warns[0].contains("tttt"),
            "the token itself is not shown"
        );
    }
    // An expired one is passed over as before, with nothing said: it was a token once.
    let a = world(json!({}));
    let now = a.clock_now();
    a.store.tokens.borrow_mut().insert(
        a.core.store_key(),
        kis_wasm::models::StoredToken {
            access_token: "old-token-0123456789".to_string(),
            expires_at: now - 1.0,
            issued_at: now - 86_400_000.0,
        },
    );
    a.run(a.core.get_price(&sym("005930"))).unwrap();
    assert!(a.rec.warns.borrow().is_empty());
}

#[test]
fn b3_a_spoiled_stored_token_is_warned_of_once_while_the_store_is_looked_at_again() {
    // KIS refuses the minute's second issuance, so the client looks at the shared store again
    // for another process's token, finding the same spoiled one each time.
    let a = world(json!({}));
    a.kis.issue_gap_ms.set(60_000.0);
    let other = world_with(
        json!({}),
        a.clock.clone(),
        a.kis.clone(),
        std::rc::Rc::new(kis_wasm::testing::MemoryStore::default()),
    );
    other.run(other.core.ensure_token()).unwrap();
    let now = a.clock_now();
    a.store.tokens.borrow_mut().insert(
        a.core.store_key(),
        kis_wasm::models::StoredToken {
            access_token: "abc\r\nx-evil: 1".to_string(),
            expires_at: now + 3_600_000.0,
            issued_at: now,
        },
    );
    let e = a.run(a.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited, "{}", e.message);
    let warns = a.rec.warns.borrow();
    assert_eq!(warns.len(), 1, "{warns:?}");
    assert!(warns[0].contains("returned a token that cannot be sent"));
}

#[test]
fn b3_two_clients_starting_together_on_one_store_share_the_one_token_kis_issues() {
    let a = world(json!({}));
    a.kis.issue_gap_ms.set(60_000.0);
    let b = beside(&a);
    let s = sym("005930");
    let (qa, qb) = a.run(futures::future::join(
        a.core.get_price(&s),
        b.core.get_price(&s),
    ));
    qa.unwrap();
    qb.unwrap();
    assert_eq!(a.count(TOKEN), 2, "both found the store empty and asked");
    let tokens: Vec<_> = a
        .kis
        .requests_to(PRICE)
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        tokens[0], tokens[1],
        "the refused client took the stored one"
    );
    let refused_by_kis = |w: &World| w.rec.events.borrow().iter().any(|e| e.status == Some(403));
    let refused = if refused_by_kis(&a) { &a } else { &b };
    assert!(refused_by_kis(refused));
    assert!(refused
        .rec
        .events
        .borrow()
        .iter()
        .any(|e| e.reason == Some("stored")));
    for w in [&a, &b] {
        assert!(
            w.rec.errors.borrow().is_empty(),
            "a refusal the store made up for is no failure to log: {:?}",
            w.rec.errors.borrow()
        );
    }
}

#[test]
fn s6_two_clients_whose_token_kis_rejects_share_the_one_kis_issues_next() {
    let a = world(json!({}));
    let b = beside(&a);
    let s = sym("005930");
    a.run(a.core.get_price(&s)).unwrap();
    b.run(b.core.get_price(&s)).unwrap();
    a.clock.set(a.clock_now() + 120_000.0);
    a.kis.issue_gap_ms.set(60_000.0);
    a.kis.expire_tokens();
    let (qa, qb) = a.run(futures::future::join(
        a.core.get_price(&s),
        b.core.get_price(&s),
    ));
    qa.unwrap();
    qb.unwrap();
    assert_eq!(a.count(TOKEN), 3, "one issuance, then both asked again");
    let reqs = a.kis.requests_to(PRICE);
    let last_two: Vec<_> = reqs[reqs.len() - 2..]
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(last_two[0], last_two[1], "both on the new token");
}

#[test]
fn b1_egw00133_with_a_store_of_its_own_fails_at_once() {
    let w = world(json!({}));
    w.store.unshared.set(true);
    w.kis
        .script(TOKEN, vec![Scripted::Respond(403, THROTTLED.into())]);
    let started = w.clock_now();
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.msg_cd.as_deref(), Some("EGW00133"));
    assert!(
        w.clock_now() - started < 100.0,
        "no wait on a store no one else writes"
    );
}

#[test]
fn b3_egw00133_with_nothing_in_the_store_fails_after_a_bounded_wait() {
    let w = world(json!({}));
    w.kis
        .script(TOKEN, vec![Scripted::Respond(403, THROTTLED.into())]);
    let started = w.clock_now();
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    let waited = w.clock_now() - started;
    assert!((3_000.0..4_000.0).contains(&waited), "waited {waited} ms");
    assert_eq!(w.count(TOKEN), 1);
    let errors = w.rec.errors.borrow();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("KIS POST error [403] /oauth2/tokenP: ")
            && errors[0].contains("EGW00133"),
        "{}",
        errors[0]
    );
}

#[test]
fn b3_a_broken_store_warns_and_carries_on() {
    let w = world(json!({}));
    w.store.fail.set(true);
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert!(w
        .rec
        .warns
        .borrow()
        .iter()
        .any(|l| l.contains("token store")));
}

#[test]
fn b3_a_store_that_never_answers_holds_a_call_no_longer_than_the_timeout() {
    let w = world(json!({ "timeoutMs": 5000 }));
    w.store.hang.set(true);
    let started = w.clock_now();
    let quote = w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(quote.symbol, "005930");
    // The read gave up after 5 s and a token was issued; its write gave up after 5 s more
    // (and the fake KIS answers in a few ms).
    let waited = w.clock_now() - started;
    assert!((10_000.0..10_100.0).contains(&waited), "{waited}");
    assert_eq!(w.count(TOKEN), 1);
    let warns = w.rec.warns.borrow();
    assert_eq!(
        warns
            .iter()
            .filter(|l| l.contains("did not answer within 5000 ms"))
            .count(),
        2,
        "{warns:?}"
    );
    drop(warns);
    // The token is in memory: the next call waits for no store.
    let again = w.clock_now();
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert!(w.clock_now() - again < 100.0);
}

/// When each `/uapi` call arrived at KIS.
fn uapi_arrivals(kis: &kis_wasm::testing::FakeKis) -> Vec<f64> {
    kis.requests
        .borrow()
        .iter()
        .filter(|r| r.path.starts_with("/uapi"))
        .map(|r| r.at)
        .collect()
}

/// The most `/uapi` arrivals at KIS in any one-second window.
fn worst_second(kis: &kis_wasm::testing::FakeKis) -> usize {
    let times = uapi_arrivals(kis);
    times
        .iter()
        .map(|&t0| {
            times
                .iter()
                .filter(|&&t| t >= t0 && t < t0 + 1000.0)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn b4_no_one_second_window_holds_more_than_the_limit() {
    let w = world(json!({"rateLimitPerSec": 18}));
    let s = sym("005930");
    let results = w.run(join_all((0..100).map(|_| w.core.get_price(&s))));
    assert!(results.iter().all(Result::is_ok));
    let times = uapi_arrivals(&w.kis);
    assert_eq!(times.len(), 100);
    assert_eq!(worst_second(&w.kis), 18);
    let span = times.last().unwrap() - times.first().unwrap();
    let rate = 99.0 / (span / 1000.0);
    assert!(rate > 17.0, "close to the limit: {rate:.2}/s");
    assert!(w
        .rec
        .events
        .borrow()
        .iter()
        .any(|e| e.wait_ms.is_some() && e.reason.is_none()));
}

/// Forty quotes queued at the world's limit, then a buy once they have taken their places:
/// the `/uapi` paths in the order KIS saw them.
fn quotes_then_a_buy(w: &World) -> Vec<String> {
    w.run(w.core.ensure_token()).unwrap();
    let s = sym("005930");
    let quotes = join_all((0..40).map(|_| w.core.get_price(&s)));
    let order = async {
        w.clock.sleep(10.0).await;
        w.core.buy(&buy_one()).await
    };
    let (quoted, ack) = w.run(futures::future::join(quotes, order));
    assert!(quoted.iter().all(Result::is_ok));
    ack.unwrap();
    let requests = w.kis.requests.borrow();
    let uapi = requests.iter().filter(|r| r.path.starts_with("/uapi"));
    uapi.map(|r| r.path.clone()).collect()
}

#[test]
fn b4_an_order_goes_ahead_of_the_reads_still_waiting_and_the_window_holds() {
    // A dashboard's forty quotes queued at 2 a second, then a buy: with one queue for all, the
    // buy (its hashkey, then itself) would reach KIS after the quotes, twenty seconds later.
    let w = world(json!({"rateLimitPerSec": 2}));
    let paths = quotes_then_a_buy(&w);
    let at = |end: &str| paths.iter().position(|p| p.ends_with(end)).unwrap();
    // Each goes ahead of the quotes waiting when it asks; one quote may leave between them.
    assert!(
        at("/uapi/hashkey") <= 3,
        "hashkey {}th",
        at("/uapi/hashkey") + 1
    );
    assert!(
        at(ORDER) <= at("/uapi/hashkey") + 2,
        "the order went out {}th of {}",
        at(ORDER) + 1,
        paths.len()
    );
    assert_eq!(worst_second(&w.kis), 2, "the window still holds");
}

#[test]
fn b4_a_lost_orders_lookup_goes_ahead_of_the_reads_still_waiting_too() {
    let w = world(json!({"rateLimitPerSec": 2, "hashkey": false}));
    // The order is booked, but its answer is lost: the trader waits on its lookup.
    w.kis
        .script(ORDER, vec![Scripted::ExecuteThen(500, String::new())]);
    let paths = quotes_then_a_buy(&w);
    let lookup = paths.iter().position(|p| p.ends_with(CCLD)).unwrap();
    let order_at = paths.iter().position(|p| p.ends_with(ORDER)).unwrap();
    assert!(order_at <= 3, "the order went out {}th", order_at + 1);
    assert!(
        lookup <= order_at + 4,
        "its lookup went out {}th of {}",
        lookup + 1,
        paths.len()
    );
    assert_eq!(worst_second(&w.kis), 2);
}

#[test]
fn b4_a_slow_first_request_does_not_let_later_ones_bunch_up_at_kis() {
    // Every new URL pays a 150 ms preflight before it reaches KIS; the window must still hold at
    // KIS, where arrivals are counted.
    let w = world(json!({"rateLimitPerSec": 5}));
    w.kis.preflight_ms.set(150.0);
    let symbols: Vec<Value> = [
        "005930", "000660", "035420", "005380", "035720", "360750", "0091C0",
    ]
    .iter()
    .map(|s| sym(s))
    .collect();
    let rounds = (0..3).flat_map(|_| symbols.iter());
    let results = w.run(join_all(rounds.map(|s| w.core.get_price(s))));
    assert!(results.iter().all(Result::is_ok));
    let arrivals: Vec<f64> = w.kis.requests_to(PRICE).iter().map(|r| r.at).collect();
    let worst = arrivals
        .iter()
        .map(|&t0| {
            arrivals
                .iter()
                .filter(|&&t| t >= t0 && t < t0 + 1000.0)
                .count()
        })
        .max()
        .unwrap();
    assert!(worst <= 5, "{worst} calls reached KIS within one second");
}

#[test]
fn b5_an_order_executed_whose_answer_is_lost_is_not_placed_twice() {
    for fault in [
        Scripted::ExecuteThen(504, "<html>Gateway Timeout</html>".into()),
        Scripted::ExecuteThenReset,
        Scripted::ExecuteThen(200, r#"{"rt_cd":"0","output":{"#.into()),
    ] {
        let w = world(json!({}));
        w.kis.script(ORDER, vec![fault.clone()]);
        let ack = w
            .run(
                w.core
                    .buy(&json!({"symbol": "005930", "quantity": 2, "price": 70000})),
            )
            .unwrap();
        let orders = w.kis.orders.borrow();
        assert_eq!(orders.len(), 1, "{fault:?}");
        assert_eq!(ack.order_no, orders[0].order_no);
        assert_eq!(w.count(ORDER), 1, "{fault:?}");
    }
}

/// KIS's success (rt_cd "0") whose output names no order: none, an empty one, or no output.
fn accepted_without_a_number() -> [Scripted; 3] {
    let ok = r#"{"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료 되었습니다.""#;
    [
        Scripted::ExecuteThen(200, format!(r#"{ok},"output":{{}}}}"#)),
        Scripted::ExecuteThen(
            200,
            format!(r#"{ok},"output":{{"KRX_FWDG_ORD_ORGNO":"","ODNO":"","ORD_TMD":""}}}}"#),
        ),
        Scripted::ExecuteThen(200, format!("{ok}}}")),
    ]
}

#[test]
fn b5_an_order_kis_accepted_without_naming_it_is_found_in_todays_orders() {
    // An ack with no number would be an order the caller can neither cancel nor change.
    for answer in accepted_without_a_number() {
        let w = world(json!({}));
        w.kis.script(ORDER, vec![answer.clone()]);
        let ack = w.run(w.core.buy(&buy_one())).unwrap();
        let orders = w.kis.orders.borrow();
        assert_eq!(orders.len(), 1, "{answer:?}");
        assert_eq!(ack.order_no, orders[0].order_no, "{answer:?}");
        assert_eq!(w.count(ORDER), 1, "never resent: {answer:?}");
        let warns = w.rec.warns.borrow();
        assert!(
            warns
                .iter()
                .any(|l| l.contains("named no order") && l.contains(&orders[0].order_no)),
            "{warns:?}"
        );
    }
    // Not listed yet: unknown, saying KIS took it, and not sent again.
    let w = world(json!({}));
    w.kis.listing_lag_ms.set(60_000.0);
    w.kis
        .script(ORDER, vec![accepted_without_a_number()[0].clone()]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(e.message.contains("names no order number"), "{}", e.message);
    assert_eq!(w.count(ORDER), 1);
    // Its changes alike.
    for modify in [None, Some(60_100)] {
        let w = world(json!({}));
        let (_, request) = resting_order(&w, modify);
        w.kis
            .script(CHANGE, vec![accepted_without_a_number()[1].clone()]);
        let ack = change(&w, &request).unwrap();
        let orders = w.kis.orders.borrow();
        assert_eq!(ack.order_no, orders[1].order_no, "{modify:?}");
        assert_eq!(w.count(CHANGE), 1, "{modify:?}");
    }
}

#[test]
fn b5_an_order_answered_with_a_failing_status_and_a_body_saying_done_is_looked_up() {
    // Reported as KIS's refusal (`api`), it would be placed again by a caller who believed it.
    let done = r#"{"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료 되었습니다.","output":{"ODNO":"0000009999"}}"#;
    for status in [500, 502, 404] {
        let w = world(json!({}));
        w.kis
            .script(ORDER, vec![Scripted::ExecuteThen(status, done.into())]);
        let ack = w.run(w.core.buy(&buy_one())).unwrap();
        let orders = w.kis.orders.borrow();
        assert_eq!(orders.len(), 1, "{status}");
        assert_eq!(ack.order_no, orders[0].order_no, "from the list: {status}");
        assert_eq!(w.count(ORDER), 1, "never resent: {status}");
    }
    // Not listed: unknown, saying what came back, never `api`.
    let w = world(json!({}));
    w.kis.listing_lag_ms.set(60_000.0);
    w.kis
        .script(ORDER, vec![Scripted::ExecuteThen(500, done.into())]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(e.message.contains("says it was done"), "{}", e.message);
    assert_eq!(w.count(ORDER), 1);
    // A read is tried again, as after any 5xx that is not KIS's refusal (S7).
    let w = world(json!({}));
    let quote = r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{"stck_prpr":"1"}}"#;
    w.kis
        .script(PRICE, vec![Scripted::Respond(502, quote.into())]);
    let q = w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(q.price, Some(70000.0), "the retry's answer");
    assert_eq!(w.count(PRICE), 2);
}

#[test]
fn b5_an_order_that_may_have_reached_kis_is_never_resent_when_not_listed() {
    // KIS's list can lag behind its book: an order booked, answered 500 without KIS's
    // envelope (or reset, or a page that is not KIS's with 200) and not listed yet, is
    // unknown, never sent again. The same when it never reached the book: not listed proves
    // nothing either way.
    for (fault, booked) in [
        (Scripted::ExecuteThen(500, String::new()), 1),
        (Scripted::ExecuteThenReset, 1),
        (
            Scripted::ExecuteThen(200, "<html>maintenance</html>".into()),
            1,
        ),
        (Scripted::Respond(502, "<html>Bad Gateway</html>".into()), 0),
    ] {
        let w = world(json!({}));
        w.kis.listing_lag_ms.set(60_000.0);
        w.kis.script(ORDER, vec![fault.clone()]);
        let e = w.run(w.core.buy(&buy_one())).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::OrderStatusUnknown,
            "{fault:?}: {}",
            e.message
        );
        assert!(
            e.message.contains("not among today's orders"),
            "{}",
            e.message
        );
        assert_eq!(w.count(ORDER), 1, "never resent: {fault:?}");
        assert_eq!(w.kis.orders.borrow().len(), booked, "{fault:?}");
        assert_eq!(w.count(CCLD), 2, "looked twice: {fault:?}");
    }
}

#[test]
fn b5_only_an_answer_proving_kis_refused_the_order_is_resent() {
    // EGW00201 (the gateway turned it away) and a rejected token: KIS never ran it.
    for fault in [
        Scripted::Respond(
            500,
            r#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}"#.into(),
        ),
        Scripted::Respond(401, String::new()),
    ] {
        let w = world(json!({}));
        w.kis.script(ORDER, vec![fault.clone()]);
        let ack = w.run(w.core.buy(&buy_one())).unwrap();
        assert_eq!(w.count(ORDER), 2, "{fault:?}");
        assert_eq!(w.kis.orders.borrow().len(), 1, "{fault:?}");
        assert_eq!(ack.order_no, w.kis.orders.borrow()[0].order_no);
    }
}

#[test]
fn b5_an_earlier_identical_order_is_not_mistaken_for_the_lost_one() {
    let w = world(json!({}));
    w.run(w.core.buy(&buy_one())).unwrap();
    w.kis
        .script(ORDER, vec![Scripted::Respond(502, String::new())]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown);
    let first = w.kis.orders.borrow()[0].order_no.clone();
    assert!(!e.message.contains(&first), "{}", e.message);
    assert_eq!(w.kis.orders.borrow().len(), 1);
    assert_eq!(w.count(ORDER), 2, "one each, nothing resent");
}

/// The lookup found two orders on the same terms and could not tell which is the caller's:
/// `orderStatusUnknown` naming both, and no order sent a third time.
fn assert_unknown_naming_both(w: &World, e: &KisError) {
    let orders = w.kis.orders.borrow();
    assert_eq!(orders.len(), 2);
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(
        e.message.contains(&orders[0].order_no) && e.message.contains(&orders[1].order_no),
        "names both: {}",
        e.message
    );
    assert_eq!(w.count(ORDER), 2, "not resent");
}

/// Another script (a second client on the same KIS) books `theirs` a moment before this
/// client's `buy_one`, whose attempt then meets `fault`.
fn theirs_then_ours(theirs: &Value, fault: Scripted) -> (World, OrderAck, KisResult<OrderAck>) {
    let other = world(json!({}));
    let w = beside(&other);
    let theirs = other.run(other.core.buy(theirs)).unwrap();
    w.kis.script(ORDER, vec![fault]);
    let ours = w.run(w.core.buy(&buy_one()));
    (w, theirs, ours)
}

/// This client's `buy_one` is booked and its answer lost (a 502); another script books
/// `theirs` right after, in the same second.
fn ours_lost_then_theirs(theirs: &Value) -> (World, KisResult<OrderAck>, OrderAck) {
    let other = world(json!({}));
    let w = beside(&other);
    w.kis
        .script(ORDER, vec![Scripted::ExecuteThen(502, String::new())]);
    let (ours, theirs) = w.run(futures::future::join(
        w.core.buy(&buy_one()),
        other.core.buy(theirs),
    ));
    (w, ours, theirs.unwrap())
}

/// Each order KIS booked came back to exactly one of `acks`, and none was sent twice.
fn each_booked_order_reported_once(w: &World, acks: Vec<KisResult<OrderAck>>, case: &str) {
    let booked: Vec<String> = w
        .kis
        .orders
        .borrow()
        .iter()
        .map(|o| o.order_no.clone())
        .collect();
    let mut got: Vec<String> = acks.into_iter().map(|a| a.unwrap().order_no).collect();
    got.sort();
    assert_eq!(booked.len(), 2, "{case}");
    assert_eq!(got, booked, "each booked order reported once: {case}");
    assert_eq!(w.count(ORDER), 2, "nothing resent: {case}");
}

#[test]
fn b5_an_identical_order_booked_just_before_a_lost_one_makes_it_unknown() {
    // Another script's identical order, booked a moment before ours, within the clock skew
    // the lookup allows: one of the two rows is ours, and nothing in them says which.
    let (w, theirs, ours) = theirs_then_ours(&buy_one(), Scripted::ExecuteThen(504, String::new()));
    assert_eq!(theirs.order_no, w.kis.orders.borrow()[0].order_no);
    assert_unknown_naming_both(&w, &ours.unwrap_err());
}

#[test]
fn b5_a_lost_answer_never_takes_the_number_of_a_sibling_order() {
    // Two identical orders at once, both booked by KIS: one answer is lost and the other is
    // slow, or both are lost. Each call must come back with an order of its own.
    for script in [
        vec![Scripted::ExecuteThenReset, Scripted::Slow(3_000.0)],
        vec![Scripted::Slow(3_000.0), Scripted::ExecuteThenReset],
        vec![Scripted::ExecuteThenReset, Scripted::ExecuteThenReset],
    ] {
        let w = world(json!({}));
        w.kis.script(ORDER, script.clone());
        let acks = w.run(join_all([w.core.buy(&buy_one()), w.core.buy(&buy_one())]));
        each_booked_order_reported_once(&w, acks, &format!("{script:?}"));
    }
}

#[test]
fn b5_two_lost_answers_looked_up_at_once_never_share_an_order_number() {
    // Two identical orders, both booked, both answers lost; KIS's list is slow to come, so the
    // two lookups are out together and both lists show both orders unnamed. Each lookup still
    // takes one of its own two, and the second one the other: no number is reported twice.
    let w = world(json!({}));
    w.kis.script(
        ORDER,
        vec![Scripted::ExecuteThenReset, Scripted::ExecuteThenReset],
    );
    w.kis.script(CCLD, vec![Scripted::Slow(400.0); 4]);
    let acks = w.run(join_all([w.core.buy(&buy_one()), w.core.buy(&buy_one())]));
    each_booked_order_reported_once(&w, acks, "lookups out together");
}

#[test]
fn b5_an_identical_order_booked_right_after_a_lost_one_is_never_reported_as_it() {
    // Ours is booked and its answer lost; another script's identical order is booked right
    // after, in the same second. The list cannot say which of the two is ours: reporting the
    // newer would hand this caller another script's order number (to cancel, say).
    let (w, ours, theirs) = ours_lost_then_theirs(&buy_one());
    assert_eq!(theirs.order_no, w.kis.orders.borrow()[1].order_no);
    assert_unknown_naming_both(&w, &ours.unwrap_err());
}

#[test]
fn b5_yesterdays_order_number_does_not_hide_todays_lost_order() {
    // An order number names an order within its day (the fake numbers each day afresh): today's
    // lost order may carry the number of one this client placed yesterday. Taken for that one,
    // it would look absent and be resent.
    let w = world(json!({}));
    let yesterday = w.run(w.core.buy(&buy_one())).unwrap();
    w.clock.set(w.clock.now_ms() + 86_400_000.0);
    w.kis.script(ORDER, vec![Scripted::ExecuteThenReset]);
    let today = w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(
        today.order_no, yesterday.order_no,
        "the fake reuses the number"
    );
    assert_eq!(w.count(ORDER), 2, "today's order was not resent");
    assert_eq!(w.kis.orders.borrow().len(), 2);
}

#[test]
fn b5_a_machine_clock_ahead_of_kis_never_turns_a_lost_answer_into_a_second_order() {
    // KIS books the order at its own time, 30 s before what this machine's clock says: the
    // lookup does not see it among orders since the attempt began, but must not resend.
    let w = world(json!({}));
    w.kis.clock_skew_ms.set(-30_000.0);
    w.kis.script(
        ORDER,
        vec![Scripted::ExecuteThen(
            502,
            "<html>Bad Gateway</html>".into(),
        )],
    );
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown);
    let booked = w.kis.orders.borrow()[0].order_no.clone();
    assert!(
        e.message.contains(&booked),
        "names the order: {}",
        e.message
    );
    assert_eq!(w.count(ORDER), 1);
    assert_eq!(w.kis.orders.borrow().len(), 1);
}

#[test]
fn b5_an_identical_order_earlier_today_from_elsewhere_stops_a_resend() {
    // Placed two minutes before by another client (or an earlier run of this script): it may
    // be ours if this machine's clock is off, so the lost attempt is not resent blindly.
    let other = world(json!({}));
    let w = beside(&other);
    other.run(other.core.buy(&buy_one())).unwrap();
    w.clock.set(w.clock.now_ms() + 120_000.0);
    w.kis
        .script(ORDER, vec![Scripted::Respond(502, String::new())]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown);
    assert_eq!(w.count(ORDER), 2, "the other's, then ours once: not resent");
    assert_eq!(w.kis.orders.borrow().len(), 1);
}

#[test]
fn b5_a_lost_market_order_is_never_taken_for_a_limit_order_on_the_same_terms() {
    // Another script's limit order of the same side, symbol and quantity, placed just before:
    // a market order's lookup takes any price, but the row's order type is not ours.
    let limit = json!({"symbol": "005930", "quantity": 1, "price": 70000});
    let (w, theirs, ours) = theirs_then_ours(&limit, Scripted::Respond(502, String::new()));
    let e = ours.unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(
        e.message.contains(&theirs.order_no) && e.message.contains("order type \"00\""),
        "names the order that stops a resend: {}",
        e.message
    );
    assert_eq!(w.count(ORDER), 2, "theirs, then ours once: not resent");
}

#[test]
fn b5_a_lost_market_order_is_told_by_its_type_from_a_newer_limit_order() {
    // Ours (market) is booked and its answer lost; another script's limit order on the same
    // terms is booked right after, in the same second: the newer row is theirs, not ours.
    let limit = json!({"symbol": "005930", "quantity": 1, "price": 70000});
    let (w, ours, theirs) = ours_lost_then_theirs(&limit);
    let ours = ours.unwrap();
    let orders = w.kis.orders.borrow();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].order_type, "01", "ours was booked first");
    assert_eq!(ours.order_no, orders[0].order_no);
    assert_eq!(theirs.order_no, orders[1].order_no);
    assert_eq!(orders[0].time, orders[1].time, "in the same second");
}

#[test]
fn b5_a_kis_that_lists_order_types_its_own_way_never_gets_an_order_twice() {
    // Were KIS to list our order under another type than the one sent, the lookup must not
    // take that for "absent" and resend: not when the row is fresh, and not when this
    // machine's clock runs ahead of KIS's so that the row looks older than the attempt.
    for skew in [0.0, -30_000.0] {
        let w = world(json!({}));
        w.kis.clock_skew_ms.set(skew);
        *w.kis.lists_type_as.borrow_mut() = Some("05".into());
        w.kis
            .script(ORDER, vec![Scripted::ExecuteThen(502, String::new())]);
        let e = w.run(w.core.buy(&buy_one())).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::OrderStatusUnknown,
            "{skew}: {}",
            e.message
        );
        let booked = w.kis.orders.borrow()[0].order_no.clone();
        assert!(e.message.contains(&booked), "{skew}: {}", e.message);
        assert_eq!(w.count(ORDER), 1, "{skew}: not resent");
    }
}

/// KIS's list of today's orders holding one row, taken now as order 0000009001 by another
/// script: `fields` over a buy of 005930.
fn list_of_one(w: &World, fields: Value) -> String {
    let now = w.clock.now_ms();
    let mut row = json!({"ord_dt": kis_wasm::kst::kst_date(now), "ord_gno_brno": "06010",
        "odno": "0000009001", "sll_buy_dvsn_cd": "02", "pdno": "005930",
        "ord_tmd": kis_wasm::kst::kst_time(now), "tot_ccld_qty": "0"});
    for (k, v) in fields.as_object().unwrap() {
        row[k] = v.clone();
    }
    json!({"rt_cd": "0", "msg_cd": "KIOK0460", "msg1": "", "ctx_area_fk100": "",
        "ctx_area_nk100": "", "output1": [row], "output2": {}})
    .to_string()
}

#[test]
fn b5_a_cancel_in_todays_orders_is_never_taken_for_the_lost_order() {
    // KIS lists a cancel as a row of its own, with the cancelled order's terms and number in
    // `orgn_odno`. Taken for ours, its number would be returned for an order never placed.
    let w = world(json!({}));
    w.kis
        .script(ORDER, vec![Scripted::Respond(502, String::new())]);
    let cancel_row = list_of_one(
        &w,
        json!({"orgn_odno": "0000000777", "ord_qty": "1", "ord_unpr": "0", "rmn_qty": "0",
            "cncl_yn": "Y"}),
    );
    w.kis
        .script(CCLD, vec![Scripted::Respond(200, cancel_row); 2]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown);
    assert!(!e.message.contains("0000009001"), "{}", e.message);
    assert_eq!(w.count(ORDER), 1, "not resent");
}

const CHANGE: &str = "/order-rvsecncl";

/// A resting limit buy, and the request that cancels it (`modify`: None) or modifies its price.
fn resting_order(w: &World, modify: Option<u64>) -> (String, Value) {
    let ack = w
        .run(
            w.core
                .buy(&json!({"symbol": "005930", "quantity": 3, "price": 60000})),
        )
        .unwrap();
    let mut change = json!({"orderNo": ack.order_no, "orgNo": ack.org_no});
    if let Some(price) = modify {
        change["price"] = json!(price);
    }
    (ack.order_no, change)
}

fn change(w: &World, request: &Value) -> KisResult<OrderAck> {
    match request.get("price") {
        Some(_) => w.run(w.core.modify(request)),
        None => w.run(w.core.cancel(request)),
    }
}

#[test]
fn b5_a_cancel_or_modification_whose_answer_is_lost_is_found_in_todays_orders_not_resent() {
    // KIS lists a change as an order of its own naming the one it changes (`orgn_odno`).
    for modify in [None, Some(60_100)] {
        for fault in [
            Scripted::ExecuteThen(504, "<html>Gateway Timeout</html>".into()),
            Scripted::ExecuteThenReset,
            Scripted::ExecuteThen(200, r#"{"rt_cd":"0","output":{"#.into()),
        ] {
            let w = world(json!({}));
            let (original, request) = resting_order(&w, modify);
            w.kis.script(CHANGE, vec![fault.clone()]);
            let ack = change(&w, &request).unwrap();
            let orders = w.kis.orders.borrow();
            assert_eq!(orders.len(), 2, "{modify:?} {fault:?}");
            assert_eq!(ack.order_no, orders[1].order_no, "{modify:?} {fault:?}");
            assert_eq!(orders[1].original, original);
            assert_eq!(w.count(CHANGE), 1, "never resent: {modify:?} {fault:?}");
        }
    }
}

#[test]
fn b5_a_lost_cancel_naming_its_order_without_leading_zeros_is_found_all_the_same() {
    // KIS lists order numbers ten digits long; the caller may have written 1001 for 0000001001.
    let w = world(json!({}));
    let (original, mut request) = resting_order(&w, None);
    request["orderNo"] = json!(original.trim_start_matches('0'));
    w.kis.script(CHANGE, vec![Scripted::ExecuteThenReset]);
    let ack = change(&w, &request).unwrap();
    assert_eq!(ack.order_no, w.kis.orders.borrow()[1].order_no);
    assert_eq!(w.count(CHANGE), 1);
}

#[test]
fn b5_a_lost_change_not_listed_yet_is_unknown_naming_what_it_was_and_never_resent() {
    for (modify, what, advice) in [
        (
            None,
            "the cancel may have reached KIS",
            "before cancelling again",
        ),
        (
            Some(60_100),
            "the modification may have reached KIS",
            "before modifying again",
        ),
    ] {
        let w = world(json!({}));
        let (_, request) = resting_order(&w, modify);
        w.kis.listing_lag_ms.set(60_000.0);
        w.kis.script(CHANGE, vec![Scripted::ExecuteThenReset]);
        let e = change(&w, &request).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
        assert!(e.message.starts_with(what), "{}", e.message);
        assert!(
            e.message.contains("not among today's orders"),
            "{}",
            e.message
        );
        assert!(e.message.contains(advice), "{}", e.message);
        assert_eq!(w.count(CHANGE), 1, "never resent");
        assert_eq!(w.count(CCLD), 2, "looked twice");
    }
}

#[test]
fn b5_a_lost_modification_is_never_taken_for_anothers_change_to_the_order_at_another_price() {
    // Another script modified the same order to 60 200 in the same seconds; this one, to 60 100,
    // never reached KIS. Taken for it, the caller would believe the order rests at its price.
    let w = world(json!({}));
    let (original, request) = resting_order(&w, Some(60_100));
    w.kis
        .script(CHANGE, vec![Scripted::Respond(502, String::new())]);
    let theirs = list_of_one(
        &w,
        json!({"orgn_odno": original, "ord_qty": "3", "ord_unpr": "60200", "rmn_qty": "3",
            "cncl_yn": "N"}),
    );
    w.kis.script(CCLD, vec![Scripted::Respond(200, theirs); 2]);
    let e = change(&w, &request).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(!e.message.contains("0000009001"), "{}", e.message);
    assert_eq!(w.count(CHANGE), 1, "not resent");
}

#[test]
fn b5_a_lost_cancel_is_never_taken_for_a_new_order_nor_a_lost_order_for_a_cancel() {
    // Both in flight at once, both answers lost: each lookup takes only its own kind of row.
    let w = world(json!({}));
    let (original, request) = resting_order(&w, None);
    w.kis.script(CHANGE, vec![Scripted::ExecuteThenReset]);
    w.kis.script(ORDER, vec![Scripted::ExecuteThenReset]);
    let buy = json!({"symbol": "005930", "quantity": 3, "price": 60000});
    let (cancelled, bought) =
        w.run(async { futures::join!(w.core.cancel(&request), w.core.buy(&buy)) });
    let (cancelled, bought) = (cancelled.unwrap(), bought.unwrap());
    let orders = w.kis.orders.borrow();
    let row = |no: &str| orders.iter().find(|o| o.order_no == no).unwrap().clone();
    assert_eq!(row(&cancelled.order_no).original, original);
    assert_eq!(row(&bought.order_no).original, "");
    assert_eq!(orders.len(), 3);
}

#[test]
fn b5_when_the_lookup_fails_the_status_is_unknown_and_nothing_is_resent() {
    let w = world(json!({}));
    w.kis
        .script(ORDER, vec![Scripted::ExecuteThen(504, String::new())]);
    w.kis.script(CCLD, vec![Scripted::Reset; 10]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown);
    assert_eq!(w.count(ORDER), 1);
    assert_eq!(w.kis.orders.borrow().len(), 1);
}

#[test]
fn b5_a_timed_out_order_is_looked_up_and_never_resent() {
    // Unanswered in time (by this client or KIS's gateway): the request may still be on its
    // way, so not finding it a second later is no proof it will not be booked.
    for fault in [
        Scripted::Timeout,
        Scripted::Respond(504, "<html>504 Gateway Time-out</html>".into()),
    ] {
        let w = world(json!({}));
        w.kis.script(ORDER, vec![fault.clone()]);
        let e = w.run(w.core.buy(&buy_one())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{fault:?}");
        assert_eq!(w.count(ORDER), 1, "not resent: {fault:?}");
        assert!(w.count(CCLD) >= 1, "looked up: {fault:?}");
    }
    // Booked before the gateway gave up: found.
    let w = world(json!({}));
    w.kis
        .script(ORDER, vec![Scripted::ExecuteThen(504, String::new())]);
    let ack = w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(ack.order_no, w.kis.orders.borrow()[0].order_no);
}

#[test]
fn b6_bad_inputs_are_refused_before_any_request() {
    let w = world(json!({}));
    type Case<'a> = (Box<dyn Fn() -> kis_wasm::KisError + 'a>, &'a str);
    let cases: Vec<Case> = vec![
        (
            Box::new(|| w.run(w.core.get_price(&sym("5930"))).unwrap_err()),
            "symbol",
        ),
        (
            Box::new(|| w.run(w.core.get_price(&json!(5930))).unwrap_err()),
            "symbol",
        ),
        (
            Box::new(|| {
                w.run(w.core.buy(&json!({"symbol": "005930", "quantity": 0})))
                    .unwrap_err()
            }),
            "order.quantity",
        ),
        (
            Box::new(|| {
                w.run(
                    w.core
                        .sell(&json!({"symbol": "005930", "quantity": 1, "price": 0})),
                )
                .unwrap_err()
            }),
            "order.price",
        ),
        (
            Box::new(|| {
                w.run(w.core.cancel(&json!({"orderNo": "x1", "orgNo": "06010"})))
                    .unwrap_err()
            }),
            "cancel.orderNo",
        ),
        (
            Box::new(|| {
                w.run(w.core.get_orders(&json!({"from": "2026-02-30"})))
                    .unwrap_err()
            }),
            "options.from",
        ),
        (
            Box::new(|| {
                w.run(
                    w.core
                        .get_daily_prices(&sym("005930"), &json!({"period": "Y"})),
                )
                .unwrap_err()
            }),
            "options.period",
        ),
        (
            Box::new(|| {
                w.run(
                    w.core
                        .request(&json!({"path": "https://evil.example/x", "trId": "X"})),
                )
                .unwrap_err()
            }),
            "request.path",
        ),
    ];
    for (f, field) in cases {
        let e = f();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        assert!(e.message.contains(field));
    }
    assert!(w.kis.requests.borrow().is_empty(), "no request was sent");
    let no_account = world(json!({"account": null}));
    let e = no_account.run(no_account.core.get_balance()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("options.account"));
}

#[test]
fn b7_a_three_page_balance_is_merged() {
    let w = world(json!({}));
    w.kis.balance_pages.set(3);
    let b = w.run(w.core.get_balance()).unwrap();
    assert_eq!(b.holdings.len(), 3);
    assert_eq!(b.holdings[2].symbol, "005932");
    assert_eq!(b.summary.cash, Some(346455.0));
    let reqs = w.kis.requests_to("/inquire-balance");
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].header("tr_cont"), None);
    assert_eq!(reqs[1].header("tr_cont"), Some("N"));
    assert_eq!(
        reqs[2].query_value("CTX_AREA_FK100"),
        Some("page2^01^          ")
    );
    assert!(
        w.kis.violations.borrow().is_empty(),
        "{:?}",
        w.kis.violations.borrow()
    );
}

#[test]
fn a_stock_sold_out_today_is_no_holding() {
    let w = world(json!({}));
    let row = |pdno: &str, qty: &str| json!({"pdno": pdno, "hldg_qty": qty, "thdt_sll_qty": "0"});
    let body = json!({"rt_cd":"0","msg_cd":"KIOK0510","msg1":"조회가 완료되었습니다",
        "ctx_area_fk100": "", "ctx_area_nk100": "",
        "output1": [row("005930", "10"), row("000660", "0"), row("035720", " 0 "), row("035420", "")],
        "output2": [{"dnca_tot_amt":"346455"}]});
    w.kis.script(
        "/inquire-balance",
        vec![Scripted::Respond(200, body.to_string())],
    );
    let b = w.run(w.core.get_balance()).unwrap();
    let held: Vec<_> = b
        .holdings
        .iter()
        .map(|h| (h.symbol.as_str(), h.quantity))
        .collect();
    // KIS's 보유수량 0 rows are gone; a row whose quantity cannot be read is kept, to be seen.
    assert_eq!(held, [("005930", Some(10.0)), ("035420", None)]);
    assert_eq!(b.summary.cash, Some(346455.0));
}

/// A balance page that signals more, continuing from `fk` (and an empty `nk`).
fn balance_page_more(fk: &str) -> Scripted {
    Scripted::More(
        json!({"rt_cd":"0","msg_cd":"KIOK0510","msg1":"조회가 완료되었습니다",
            "ctx_area_fk100": fk, "ctx_area_nk100": "",
            "output1": [{"pdno":"005930","prdt_name":"삼성전자","hldg_qty":"10"}],
            "output2": [{"dnca_tot_amt":"346455"}]})
        .to_string(),
    )
}

#[test]
fn b7_a_list_whose_next_page_would_repeat_the_last_stops_there() {
    // Keys that do not move, as the first page gave them, or empty from the start.
    for fk in ["page1^01^", ""] {
        let w = world(json!({}));
        w.kis.script(
            "/inquire-balance",
            (0..60).map(|_| balance_page_more(fk)).collect(),
        );
        let e = w.run(w.core.get_balance()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Api, "{}", e.message);
        assert!(
            e.message.contains("after page 2") && e.message.contains("repeat"),
            "{}",
            e.message
        );
        let reqs = w.kis.requests_to("/inquire-balance");
        assert_eq!(reqs.len(), 2, "the first page, then its repeat once");
        assert_eq!(reqs[1].header("tr_cont"), Some("N"));
        assert_eq!(reqs[1].query_value("CTX_AREA_FK100"), Some(fk));
    }
}

#[test]
fn b7_a_list_that_never_ends_stops_at_fifty_pages() {
    let w = world(json!({}));
    w.kis.script(
        "/inquire-balance",
        (0..60)
            .map(|n| balance_page_more(&format!("page{n}^01^")))
            .collect(),
    );
    let e = w.run(w.core.get_balance()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api, "{}", e.message);
    assert!(e.message.contains("after 50"), "{}", e.message);
    assert_eq!(w.kis.requests_to("/inquire-balance").len(), 50);
}

#[test]
fn b8_quotes_and_bars_are_numbers_with_raw_kept() {
    let w = world(json!({}));
    let q = w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(
        (q.price, q.change, q.change_rate),
        (Some(70000.0), Some(-500.0), Some(-0.71))
    );
    assert_eq!(q.raw.get("stck_prpr").as_deref(), Some("70000"));
    let bars = w
        .run(w.core.get_daily_prices(&sym("005930"), &Value::Null))
        .unwrap();
    assert_eq!(bars.len(), 30);
    assert!(
        bars.windows(2).all(|p| p[0].date < p[1].date),
        "oldest first"
    );
    assert_eq!(bars[29].date.len(), 10);
}

#[test]
fn daily_bars_come_oldest_first_even_from_rows_out_of_order() {
    let w = world(json!({}));
    let row = |d: &str| {
        format!(
            r#"{{"stck_bsop_date":"{d}","stck_clpr":"1","stck_oprc":"1","stck_hgpr":"1","stck_lwpr":"1","acml_vol":"1"}}"#
        )
    };
    let dates = [
        "20261127", "20261125", "20261126", "", "20261120", "20261124",
    ];
    let rows: Vec<String> = dates.iter().map(|d| row(d)).collect();
    let body = format!(
        r#"{{"rt_cd":"0","msg_cd":"MCA00000","msg1":"","output":[{}]}}"#,
        rows.join(",")
    );
    w.kis
        .script("/inquire-daily-price", vec![Scripted::Respond(200, body)]);
    let bars = w
        .run(w.core.get_daily_prices(&sym("005930"), &Value::Null))
        .unwrap();
    let got: Vec<&str> = bars.iter().map(|b| b.date.as_str()).collect();
    assert_eq!(
        got,
        [
            "2026-11-20",
            "2026-11-24",
            "2026-11-25",
            "2026-11-26",
            "2026-11-27"
        ],
        "sorted, the row without a date left out"
    );
}

#[test]
fn b9_dates_default_to_korea_today_and_all_fields_are_sent() {
    let w = world(json!({}));
    w.clock.set(1_795_795_200_000.0); // 2026-11-27 16:00 UTC = 2026-11-28 01:00 KST
    w.run(w.core.get_orders(&Value::Null)).unwrap();
    let r = &w.kis.requests_to(CCLD)[0];
    assert_eq!(r.query_value("INQR_STRT_DT"), Some("20261128"));
    assert_eq!(r.query_value("INQR_END_DT"), Some("20261128"));
    assert_eq!(r.query_value("ORD_GNO_BRNO"), Some(""));
    assert_eq!(r.query_value("EXCG_ID_DVSN_CD"), Some("KRX"));
    assert_eq!(r.query.len(), 15);
    w.run(w.core.get_buying_power(&json!({"symbol": "005930"})))
        .unwrap();
    let r = &w.kis.requests_to("/inquire-psbl-order")[0];
    assert_eq!(r.query_value("ORD_UNPR"), Some("0"));
    assert_eq!(r.query_value("ORD_DVSN"), Some("01"));
    w.run(
        w.core
            .get_daily_prices(&sym("005930"), &json!({"adjusted": true})),
    )
    .unwrap();
    assert_eq!(
        w.kis.requests_to("/inquire-daily-price")[0].query_value("FID_ORG_ADJ_PRC"),
        Some("1")
    );
    w.run(w.core.buy(&buy_one())).unwrap();
    let body = serde_json::from_str::<Value>(w.kis.requests_to(ORDER)[0].body.as_deref().unwrap())
        .unwrap();
    assert_eq!(body["EXCG_ID_DVSN_CD"], "KRX");
    assert!(body.as_object().unwrap().iter().all(|(_, v)| v.is_string()));
}

#[test]
fn b6_a_from_after_the_to_left_out_says_which_day_that_is() {
    let w = world(json!({}));
    w.clock.set(1_795_795_200_000.0); // 2026-11-28 01:00 KST
    let e = w
        .run(w.core.get_orders(&json!({"from": "2026-11-29"})))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("options.from"));
    assert_eq!(
        e.message,
        "options.from: must not be after today in Korea, 2026-11-28, which options.to is when left out"
    );
    let e = w
        .run(
            w.core
                .get_orders(&json!({"from": "2026-11-20", "to": "2026-11-19"})),
        )
        .unwrap_err();
    assert_eq!(e.message, "options.from: must not be after options.to");
    w.run(w.core.get_orders(&json!({"from": "2026-11-28"})))
        .unwrap();
    assert_eq!(
        w.kis.requests_to(CCLD).len(),
        1,
        "only the last call was sent"
    );
}

#[test]
fn orders_older_than_three_months_use_the_history_tr() {
    let w = world(json!({}));
    w.run(
        w.core
            .get_orders(&json!({"from": "2026-06-01", "to": "2026-11-27"})),
    )
    .unwrap();
    let reqs = w.kis.requests_to(CCLD);
    let asked: Vec<_> = reqs
        .iter()
        .map(|r| {
            (
                r.header("tr_id").unwrap(),
                r.query_value("INQR_STRT_DT").unwrap(),
                r.query_value("INQR_END_DT").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        asked,
        [
            ("VTTC0081R", "20260827", "20261127"),
            ("VTSC9215R", "20260601", "20260826")
        ]
    );
    w.run(
        w.core
            .get_orders(&json!({"from": "2025-01-02", "to": "2025-01-31"})),
    )
    .unwrap();
    assert_eq!(
        w.kis.requests_to(CCLD)[2].header("tr_id"),
        Some("VTSC9215R")
    );
    assert_eq!(w.count(CCLD), 3);
}

#[test]
fn cancel_and_orders_round_trip() {
    let w = world(json!({}));
    let ack = w
        .run(
            w.core
                .buy(&json!({"symbol": "005930", "quantity": 5, "price": 69000})),
        )
        .unwrap();
    let cancel = w
        .run(
            w.core
                .cancel(&json!({"orderNo": ack.order_no, "orgNo": ack.org_no})),
        )
        .unwrap();
    let orders = w
        .run(w.core.get_orders(&json!({"symbol": "005930"})))
        .unwrap();
    // Newest first: the cancel, listed as an order of its own naming the one it cancels.
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].order_no, cancel.order_no);
    assert_eq!(orders[0].original_order_no.as_ref(), Some(&ack.order_no));
    assert!(orders[1].cancelled);
    assert_eq!(orders[1].original_order_no, None);
    assert_eq!(orders[1].price, Some(69000.0));
    let cancel = &w.kis.requests_to("/order-rvsecncl")[0];
    assert_eq!(cancel.header("tr_id"), Some("VTTC0013U"));
    assert_eq!(cancel.method, Method::Post);
}

#[test]
fn a_change_goes_to_its_orders_exchange_which_get_orders_lists() {
    let w = world(json!({"env": "real"}));
    // An order sent through KIS's smart routing (as KIS's app may), then listed with its exchange.
    let placed = w.run(w.core.request(&json!({
        "method": "POST", "path": "/uapi/domestic-stock/v1/trading/order-cash", "trId": "TTTC0012U",
        "body": {"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00",
                 "ORD_QTY": "5", "ORD_UNPR": "69000", "EXCG_ID_DVSN_CD": "SOR"}
    })));
    let order_no = placed.unwrap().body.value()["output"]["ODNO"]
        .as_str()
        .unwrap()
        .to_string();
    let orders = w.run(w.core.get_orders(&json!({}))).unwrap();
    assert_eq!(orders[0].exchange.as_deref(), Some("SOR"));
    // KIS refuses a cancel sent to the Korea Exchange, the default; one naming SOR is taken.
    let e = w
        .run(
            w.core
                .cancel(&json!({"orderNo": order_no, "orgNo": "06010"})),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    let exchange = orders[0].exchange.clone().unwrap();
    let change = json!({"orderNo": order_no, "orgNo": "06010", "exchange": exchange});
    w.run(w.core.cancel(&change)).unwrap();
    let sent = w.kis.requests_to("/order-rvsecncl");
    let body = |i: usize| serde_json::from_str::<Value>(sent[i].body.as_deref().unwrap()).unwrap();
    assert_eq!(body(0)["EXCG_ID_DVSN_CD"], "KRX");
    assert_eq!(body(1)["EXCG_ID_DVSN_CD"], "SOR");
    // An order of the client's own to Nextrade: listed so, and changed there.
    let order = json!({"symbol": "000660", "quantity": 1, "price": 190000, "exchange": "NXT"});
    let ack = w.run(w.core.buy(&order)).unwrap();
    let orders = w
        .run(w.core.get_orders(&json!({"symbol": "000660"})))
        .unwrap();
    assert_eq!(orders[0].exchange.as_deref(), Some("NXT"));
    let change =
        json!({"orderNo": ack.order_no, "orgNo": ack.org_no, "price": 191000, "exchange": "NXT"});
    w.run(w.core.modify(&change)).unwrap();
}

#[test]
fn an_order_or_change_naming_another_exchange_than_krx_is_refused_in_mock_before_it_is_sent() {
    let w = world(json!({}));
    let change =
        json!({"orderNo": "0000001001", "orgNo": "06010", "price": 70000, "exchange": "NXT"});
    let e = w.run(w.core.modify(&change)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!(e.field.as_deref(), Some("modify.exchange"));
    assert!(e.message.contains("\"KRX\""), "{}", e.message);
    assert!(w.kis.requests_to("/order-rvsecncl").is_empty());
    let order = json!({"symbol": "005930", "quantity": 1, "exchange": "SOR"});
    let e = w.run(w.core.sell(&order)).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("order.exchange"));
    assert!(w.kis.requests_to("/order-cash").is_empty());
}

#[test]
fn request_escape_hatch_applies_the_same_policies() {
    let w = world(json!({}));
    w.kis
        .script(PRICE, vec![Scripted::Respond(503, String::new())]);
    let r = w.run(w.core.request(&json!({
        "method": "GET", "path": "/uapi/domestic-stock/v1/quotations/inquire-price",
        "trId": "FHKST01010100", "query": {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    }))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body.value()["output"]["stck_prpr"], "70000");
    assert_eq!(w.count(PRICE), 2);
    let e = w
        .run(
            w.core
                .request(&json!({"path": "/uapi/x", "trId": "X1", "query": {"A": 1}})),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("request.query.A"));
}

#[test]
fn b6_request_refuses_a_catalogued_apis_tr_id_of_the_other_environment_naming_this_ones() {
    const BALANCE: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";
    let spec = |tr_id: &str| json!({"path": BALANCE, "trId": tr_id, "query": {}});
    for (env, sent, own) in [
        ("mock", "TTTC8434R", "VTTC8434R"),
        ("real", "VTTC8434R", "TTTC8434R"),
    ] {
        let w = world(json!({ "env": env }));
        let e = w.run(w.core.request(&spec(sent))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("request.trId"), "{env}");
        assert!(
            e.message.contains(&format!("in {env} it is {own}")),
            "{}",
            e.message
        );
        assert_eq!(w.count(BALANCE), 0, "nothing sent");
    }
    // A TR ID the catalogue does not know is KIS's to judge: request() is the way to new ones.
    let w = world(json!({}));
    let _ = w.run(w.core.request(&spec("VTTC9999R")));
    assert_eq!(w.count(BALANCE), 1);
}

#[test]
fn b5_an_order_through_request_is_looked_up_and_any_other_post_is_never_resent() {
    // request() is how users reach KIS's other endpoints by hand: an order of the client's
    // account is looked up when its answer is lost, as call()'s is; an ambiguous POST the client
    // cannot look up must not read like a plain network or server error that a script would
    // simply send again.
    let order = |account: &str| {
        json!({
            "method": "POST", "path": "/uapi/domestic-stock/v1/trading/order-cash", "trId": "VTTC0012U",
            "body": {"CANO": account, "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "01", "ORD_QTY": "1", "ORD_UNPR": "0"}
        })
    };
    for fault in [
        Scripted::ExecuteThenReset,
        Scripted::ExecuteThen(502, "<html>Bad Gateway</html>".into()),
    ] {
        // The client's own account: found in today's orders, answered as KIS would have.
        let w = world(json!({}));
        w.kis.script(ORDER, vec![fault.clone()]);
        let reply = w.run(w.core.request(&order("12345678"))).unwrap();
        assert_eq!(reply.status, 200, "{fault:?}");
        let body = reply.body.value();
        let odno = body["output"]["ODNO"].as_str().unwrap();
        assert_eq!(odno.len(), 10, "{}", reply.body);
        assert_eq!(
            reply.body.value()["msg1"],
            format!("the answer was lost; found in today's orders as {odno}")
        );
        assert_eq!(w.count(ORDER), 1, "{fault:?}");

        // Another account's order: its list is not this client's to read; never resent.
        let w = world(json!({}));
        w.kis.script(ORDER, vec![fault.clone()]);
        let e = w.run(w.core.request(&order("87654321"))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{fault:?}");
        assert!(
            e.message.starts_with(
                "POST /uapi/domestic-stock/v1/trading/order-cash may have reached KIS"
            ),
            "{}",
            e.message
        );
        assert_eq!(w.count(ORDER), 1, "{fault:?}");
        assert_eq!(w.count(CCLD), 0, "{fault:?}: no list read");
    }
    // Terms the lookup could not match are refused by name before anything is sent.
    let w = world(json!({}));
    let mut zero = order("12345678");
    zero["body"]["ORD_QTY"] = json!("0");
    let e = w.run(w.core.request(&zero)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert_eq!(e.field.as_deref(), Some("request.body.ORD_QTY"));
    assert_eq!(w.count(ORDER), 0);
}

#[test]
fn secrets_never_reach_events_logs_or_errors() {
    let w = world(json!({}));
    let mut errors = String::new();
    w.kis.script(
        PRICE,
        vec![Scripted::Respond(500, format!("<html>echo {APP_KEY} {APP_SECRET}</html>")); 3],
    );
    errors += &format!("{:?}", w.run(w.core.get_price(&sym("005930"))).unwrap_err());
    w.kis
        .script(PRICE, vec![Scripted::Respond(401, String::new()); 2]);
    errors += &format!("{:?}", w.run(w.core.get_price(&sym("005930"))).unwrap_err());
    w.kis
        .script(ORDER, vec![Scripted::ExecuteThen(504, String::new())]);
    w.kis.script(CCLD, vec![Scripted::Reset; 10]);
    errors += &format!("{:?}", w.run(w.core.buy(&buy_one())).unwrap_err());
    let token = w.kis.requests_to(TOKEN).len();
    assert!(token >= 1);
    w.assert_no_secrets(&errors);

    // A body that escapes the secret's `/` and `+`, as some JSON encoders do, is masked too:
    // decoded, as a caller's JSON.parse would, it holds no secret.
    let escaped = APP_SECRET.replace('/', "\\/").replace('+', "\\u002B");
    let body = format!(r#"{{"rt_cd":"1","msg_cd":"EGW00000","msg1":"{escaped}"}}"#);
    w.kis
        .script(PRICE, vec![Scripted::Respond(500, body.clone()); 3]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    let kept = e.body.clone().unwrap_or_default();
    assert!(!kept.contains(&escaped), "{kept}");
    let decoded: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert!(!decoded.to_string().contains(APP_SECRET), "{decoded}");
    w.assert_no_secrets(&format!("{e:?}"));
}

// One app key, one process (engine::shared): KIS counts the rate limit and the token minute per
// app key, so the clients of one key that reach KIS the same way hold them in common.

#[test]
fn b2_clients_of_one_app_key_in_a_process_make_one_token_request() {
    let p = Process::new();
    // KIS refuses a second issuance within the minute, as it does.
    p.kis.issue_gap_ms.set(60_000.0);
    let (b, c) = (p.client(1, json!({})), p.client(1, json!({})));
    let s = sym("005930");
    let (qb, qc) = b.run(futures::future::join(
        b.core.get_price(&s),
        c.core.get_price(&s),
    ));
    qb.unwrap();
    qc.unwrap();
    assert_eq!(
        b.count(TOKEN),
        1,
        "one flight for both, though each has a store of its own"
    );
    // A client made after the others are gone starts with their token.
    drop((b, c));
    let later = p.client(1, json!({}));
    later.run(later.core.get_price(&s)).unwrap();
    assert_eq!(later.count(TOKEN), 1);
    assert!(later.core.token_info().is_some());
}

#[test]
fn b2_clients_that_differ_in_secret_or_way_to_kis_share_nothing() {
    let p = Process::new();
    let b = p.client(1, json!({}));
    let other_way = p.client(2, json!({}));
    let other_secret = p.client(1, json!({"appSecret": "another-secret-0123456789"}));
    let s = sym("005930");
    for w in [&b, &other_way, &other_secret] {
        w.run(w.core.get_price(&s)).unwrap();
    }
    assert_eq!(b.count(TOKEN), 3, "a token each");
}

#[test]
fn b4_clients_of_one_app_key_in_a_process_share_one_rate_limit() {
    let p = Process::new();
    let b = p.client(1, json!({"rateLimitPerSec": 5}));
    let c = p.client(1, json!({"rateLimitPerSec": 5}));
    let s = sym("005930");
    b.run(b.core.ensure_token()).unwrap();
    let calls = (0..15).flat_map(|_| [b.core.get_price(&s), c.core.get_price(&s)]);
    let results = b.run(join_all(calls));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        worst_second(&p.kis),
        5,
        "5 a second between them, not 5 each"
    );
}

#[test]
fn b4_a_limit_past_kiss_own_is_warned_of_against_kiss_host_only() {
    let warned = |extra| world(extra).rec.warns.borrow().clone();
    let past = warned(json!({"rateLimitPerSec": 5}));
    assert_eq!(past.len(), 1, "{past:?}");
    assert!(
        past[0].contains("options.rateLimitPerSec is 5")
            && past[0].contains("a mock account, 1 a second")
            && past[0].contains("EGW00201"),
        "{}",
        past[0]
    );
    let real = "https://openapi.koreainvestment.com:9443";
    let at_real = |rate: u32| warned(json!({"rateLimitPerSec": rate, "baseUrl": real}));
    assert_eq!(at_real(19).len(), 1);
    assert!(at_real(19)[0].contains("a real account, 18 a second"));
    assert!(at_real(18).is_empty());
    // Off (the caller limits the calls itself), within KIS's, or not KIS's host: nothing said.
    assert!(warned(json!({"rateLimitPerSec": 0})).is_empty());
    assert!(warned(json!({"rateLimitPerSec": 1})).is_empty());
    let proxy = json!({"rateLimitPerSec": 5, "baseUrl": "http://127.0.0.1:8787", "env": "mock"});
    assert!(warned(proxy).is_empty());
}

#[test]
fn b4_the_strictest_limit_of_one_app_key_holds_and_a_client_without_one_stays_out() {
    let p = Process::new();
    let b = p.client(1, json!({"rateLimitPerSec": 18}));
    let _strict = p.client(1, json!({"rateLimitPerSec": 3}));
    let s = sym("005930");
    b.run(b.core.ensure_token()).unwrap();
    let results = b.run(join_all((0..12).map(|_| b.core.get_price(&s))));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(worst_second(&p.kis), 3, "the stricter client's limit");
    // A client that turned its limit off is not held back by the others' queue.
    let free = p.client(1, json!({"rateLimitPerSec": 0}));
    let started = b.clock_now();
    let both = futures::future::join(
        join_all((0..6).map(|_| b.core.get_price(&s))),
        join_all((0..6).map(|_| free.core.get_price(&s))),
    );
    let (limited, unlimited) = b.run(both);
    assert!(limited.iter().chain(unlimited.iter()).all(Result::is_ok));
    let arrivals: Vec<f64> = p.kis.requests_to(PRICE).iter().map(|r| r.at).collect();
    assert!(
        arrivals
            .iter()
            .filter(|&&t| t >= started && t < started + 50.0)
            .count()
            == 6,
        "the unlimited client's six went at once"
    );
}

#[test]
fn secrets_a_token_another_client_of_the_process_was_issued_is_masked_too() {
    let p = Process::new();
    let (b, c) = (p.client(1, json!({})), p.client(1, json!({})));
    b.run(b.core.ensure_token()).unwrap();
    let token = c.run(c.core.ensure_token()).unwrap();
    assert_eq!(c.count(TOKEN), 1, "c took b's token");
    // A gateway page that echoes the request's headers, token and all.
    p.kis.script(
        PRICE,
        vec![Scripted::Respond(500, format!("<html>echo Bearer {token}</html>")); 3],
    );
    let e = c.run(c.core.get_price(&sym("005930"))).unwrap_err();
    c.assert_no_secrets(&format!("{e:?}"));
}

#[test]
fn an_on_event_that_throws_is_logged_once_and_the_calls_go_on() {
    let w = world(json!({}));
    w.rec.throws.set(true);
    for _ in 0..3 {
        let quote = w.run(w.core.get_price(&sym("005930"))).unwrap();
        assert_eq!(quote.symbol, "005930");
    }
    assert!(
        w.rec.events.borrow().len() >= 6,
        "every event still went out"
    );
    let warns = w.rec.warns.borrow();
    let said: Vec<_> = warns.iter().filter(|l| l.contains("onEvent")).collect();
    assert_eq!(
        said,
        ["options.onEvent threw (the listener broke); the client goes on, and its later throws are not logged"],
        "{warns:?}"
    );
}

#[test]
fn b4_a_clock_set_back_an_hour_holds_the_next_call_a_window_at_most() {
    let w = world(json!({ "rateLimitPerSec": 1 }));
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    // The machine's clock is set back (a correction, a user's change). The limiter's record of
    // the last answer reads an hour ahead: waiting for it held the call for the hour.
    w.clock.set(w.clock_now() - 3_600_000.0);
    let started = w.clock_now();
    w.run(w.core.get_price(&sym("005930"))).unwrap();
    let waited = w.clock_now() - started;
    assert!(waited <= 1_100.0, "{waited}");
    assert_eq!(w.count(PRICE), 2);
}

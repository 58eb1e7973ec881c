//! The realtime protocol's engine side: the approval key (one request however many subscribers
//! start together, masked like the token), against the fake KIS.

mod common;

use common::world;
use serde_json::json;

#[test]
fn fifty_subscribers_starting_together_make_one_approval_key_request_and_it_is_masked() {
    let w = world(json!({}));
    let keys = w.run(futures::future::join_all(
        (0..50).map(|_| w.core.ensure_approval_key()),
    ));
    let keys: Vec<String> = keys.into_iter().map(Result::unwrap).collect();
    assert!(keys
        .iter()
        .all(|k| k == &keys[0] && k.starts_with("fake-approval-key-")));
    assert_eq!(w.count("/oauth2/Approval"), 1);
    let sent = w.kis.requests_to("/oauth2/Approval");
    let body: serde_json::Value = serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body["secretkey"],
        common::APP_SECRET,
        "KIS's name for the secret here"
    );
    assert_eq!(body["appkey"], common::APP_KEY);
    // Masked wherever the client writes: a log line quoting it shows ***.
    assert_eq!(w.core.redact(&format!("key={}", keys[0])), "key=***");
    // Asked again: the one it has.
    w.run(w.core.ensure_approval_key()).unwrap();
    assert_eq!(w.count("/oauth2/Approval"), 1);
}

#[test]
fn an_approval_key_refused_by_kis_is_an_error_without_secrets() {
    let w = world(json!({}));
    w.kis.script(
        "/oauth2/Approval",
        vec![kis_wasm::testing::Scripted::Respond(
            403,
            format!(
                r#"{{"error_code":"EGW00103","error_description":"bad key {}"}}"#,
                common::APP_SECRET
            ),
        )],
    );
    let e = w.run(w.core.ensure_approval_key()).unwrap_err();
    assert_eq!(e.kind, kis_wasm::ErrorKind::Api);
    assert_eq!(e.msg_cd.as_deref(), Some("EGW00103"));
    w.assert_no_secrets(&format!("{e:?}"));
}

#[test]
fn an_approval_key_is_asked_again_once_it_is_twelve_hours_old_for_the_next_connection() {
    use kis_wasm::engine::approval::APPROVAL_REUSE_MS;
    let w = world(json!({}));
    use kis_wasm::engine::transport::Clock;
    let first = w.run(w.core.ensure_approval_key()).unwrap();
    let issued = w.clock.now_ms();
    // A connection that dropped within the half day reconnects with the key it has.
    w.clock.set(issued + APPROVAL_REUSE_MS - 1.0);
    assert_eq!(w.run(w.core.ensure_approval_key()).unwrap(), first);
    assert_eq!(w.count("/oauth2/Approval"), 1);
    // Past it, KIS is asked again (it gives a key 24 hours), once however many ask together.
    w.clock.set(issued + APPROVAL_REUSE_MS + 1.0);
    let again = w.run(futures::future::join_all(
        (0..5).map(|_| w.core.ensure_approval_key()),
    ));
    assert!(again.iter().all(Result::is_ok));
    assert_eq!(w.count("/oauth2/Approval"), 2);
    // A clock set back does not make the key old.
    w.clock.set(issued);
    w.run(w.core.ensure_approval_key()).unwrap();
    assert_eq!(w.count("/oauth2/Approval"), 2);
}

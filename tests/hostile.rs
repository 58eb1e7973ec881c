//! What a hostile server or a careless caller can do, against the engine over the fake KIS:
//! header injection through a path or a server's token, redirects, answers too large or of the
//! wrong shape, secrets echoed in a successful answer, and logs of megabytes. The binding's
//! side of the same (NaN, getters, the fetch that ignores its signal) is in
//! `test/node/hostile.test.mjs`.

mod common;

use common::{options, sym, world, APP_KEY, APP_SECRET};
use kis_wasm::engine::config::Config;
use kis_wasm::headers::{header_safe, MAX_ISSUED_LEN};
use kis_wasm::testing::Scripted;
use kis_wasm::ErrorKind;
use serde_json::{json, Value};

const PRICE: &str = "/inquire-price";
const ORDER: &str = "/order-cash";
const CCLD: &str = "/inquire-daily-ccld";
const TOKEN: &str = "/oauth2/tokenP";

fn buy_one() -> Value {
    json!({"symbol": "005930", "quantity": 1, "price": 70000})
}

fn price_answer(output: Value) -> String {
    json!({"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다.", "output": output})
        .to_string()
}

#[test]
fn b6_a_request_path_or_header_value_never_injects_a_header_or_escapes_uapi() {
    let w = world(json!({}));
    let spec = |path: &str| json!({"path": path, "trId": "FHKST01010100"});
    let cases = [
        (spec("/uapi/x\n0\n0\nx-injected\nhello"), "request.path"),
        (spec("/uapi/%2e%2e/oauth2/revokeP"), "request.path"),
        (spec("/uapi/../oauth2/revokeP"), "request.path"),
        (spec("/uapi/domestic-stock//x"), "request.path"),
        (spec("/uapi/a b"), "request.path"),
        (spec("/uapi/x?FID=1"), "request.path"),
        (spec("/oauth2/revokeP"), "request.path"),
        (
            json!({"path": "/uapi/x", "trId": "FHKST01010100", "trCont": "N\r\nx-injected: 1"}),
            "request.trCont",
        ),
        (
            json!({"path": "/uapi/x", "trId": "FHKST\r\n0101"}),
            "request.trId",
        ),
        (
            json!({"path": "/uapi/x", "trId": "FHKST01010100", "query": {"A\r\nB": "1"}}),
            "request.query",
        ),
    ];
    for (spec, field) in cases {
        let e = w.run(w.core.request(&spec)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{spec}");
        assert_eq!(e.field.as_deref(), Some(field), "{spec}: {}", e.message);
    }
    assert_eq!(w.kis.requests.borrow().len(), 0, "nothing was sent");
    let ok = json!({"path": "/uapi/domestic-stock/v1/quotations/inquire-price", "trId": "FHKST01010100",
        "query": {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}, "trCont": "N"});
    w.run(w.core.request(&ok)).unwrap();
}

#[test]
fn b6_base_url_with_a_line_break_query_or_password_is_refused() {
    for url in [
        "http://127.0.0.1:9\r\nx-injected: 1",
        "http://127.0.0.1:9/?x=1",
        "https://user:pa55word@kis.example",
    ] {
        let e = Config::from_value(&options(json!({ "baseUrl": url }))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("options.baseUrl"), "{url}");
        assert!(!e.message.contains("pa55word"), "{}", e.message);
    }
}

#[test]
fn a_token_or_hash_from_the_server_that_would_break_a_header_is_never_sent() {
    let w = world(json!({}));
    let evil = json!({"access_token": "abc\r\nx-injected: 1\r\nx", "token_type": "Bearer", "expires_in": 86400});
    w.kis
        .script(TOKEN, vec![Scripted::Respond(200, evil.to_string())]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode, "{}", e.message);
    assert_eq!(w.count(PRICE), 0);

    // Nor one longer than any KIS issues: sent with every call, it would have each refused.
    let huge = "t".repeat(MAX_ISSUED_LEN + 1);
    let w = world(json!({}));
    let long = json!({"access_token": huge, "token_type": "Bearer", "expires_in": 86400});
    w.kis
        .script(TOKEN, vec![Scripted::Respond(200, long.to_string())]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode, "{}", e.message);
    assert_eq!(w.count(PRICE), 0);

    for hash in ["abc\r\nx-injected: 1", huge.as_str()] {
        let w = world(json!({}));
        let evil = json!({"BODY": {}, "HASH": hash}).to_string();
        w.kis
            .script("/uapi/hashkey", vec![Scripted::Respond(200, evil); 10]);
        let _ = w.run(w.core.buy(&buy_one()));
        for r in w.kis.requests.borrow().iter() {
            for (name, value) in &r.headers {
                assert!(
                    header_safe(value) && value.len() <= MAX_ISSUED_LEN,
                    "{name} on {}",
                    r.path
                );
            }
        }
        assert_eq!(w.count(ORDER), 0, "no order went out without its hash");
    }
}

#[test]
fn a_token_or_approval_answer_without_what_was_asked_says_which_it_lacked() {
    let cases = [
        (
            200,
            "<html>maintenance</html>",
            ErrorKind::Decode,
            "not a JSON object",
        ),
        (
            200,
            r#"{"token_type":"Bearer"}"#,
            ErrorKind::Decode,
            "without a usable",
        ),
        (
            502,
            "<html>Bad Gateway</html>",
            ErrorKind::Http,
            "failed with HTTP 502",
        ),
    ];
    for (status, body, kind, says) in cases {
        let w = world(json!({}));
        w.kis
            .script(TOKEN, vec![Scripted::Respond(status, body.to_string())]);
        let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
        assert_eq!(e.kind, kind, "token, {body}: {}", e.message);
        assert!(e.message.contains(says), "token, {body}: {}", e.message);
        assert_eq!(w.count(PRICE), 0);

        let w = world(json!({}));
        w.kis.script(
            "/oauth2/Approval",
            vec![Scripted::Respond(status, body.to_string())],
        );
        let e = w.run(w.core.ensure_approval_key()).unwrap_err();
        assert_eq!(e.kind, kind, "approval key, {body}: {}", e.message);
        assert!(
            e.message.contains(says),
            "approval key, {body}: {}",
            e.message
        );
    }

    // An approval key longer than any KIS issues travels in no subscribe frame.
    let w = world(json!({}));
    let long = json!({ "approval_key": "a".repeat(MAX_ISSUED_LEN + 1) }).to_string();
    w.kis
        .script("/oauth2/Approval", vec![Scripted::Respond(200, long)]);
    let e = w.run(w.core.ensure_approval_key()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode, "{}", e.message);
    assert!(!e.message.contains("aaaa"), "{}", e.message);
}

#[test]
fn a_redirect_is_an_http_error_and_never_retried() {
    let w = world(json!({}));
    for status in [301, 302, 307, 308] {
        w.kis
            .script(PRICE, vec![Scripted::Respond(status, String::new())]);
        let before = w.count(PRICE);
        let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Http, "{status}");
        assert!(e.message.contains("redirect"), "{}", e.message);
        assert_eq!(w.count(PRICE) - before, 1, "not retried: {status}");
    }
    w.kis
        .script(ORDER, vec![Scripted::Respond(307, String::new())]);
    let e = w.run(w.core.buy(&buy_one())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Http);
    assert_eq!((w.count(ORDER), w.kis.orders.borrow().len()), (1, 0));
}

#[test]
fn an_answer_past_max_response_bytes_is_refused_as_decode_and_the_client_goes_on() {
    let w = world(json!({"maxResponseBytes": 64 * 1024}));
    let big = price_answer(json!({"stck_prpr": "70000", "pad": "x".repeat(100_000)}));
    w.kis
        .script(PRICE, vec![Scripted::Respond(200, big.clone())]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("maxResponseBytes"), "{}", e.message);
    assert_eq!(w.count(PRICE), 1, "not retried");
    assert!(w.run(w.core.get_price(&sym("005930"))).is_ok());

    // An order whose answer is too large to read may have been placed: it is looked up.
    w.kis.script(ORDER, vec![Scripted::ExecuteThen(200, big)]);
    let ack = w.run(w.core.buy(&buy_one())).unwrap();
    assert_eq!(ack.order_no, w.kis.orders.borrow()[0].order_no);
    assert_eq!(w.count(ORDER), 1);

    let roomy = world(json!({"maxResponseBytes": 1 << 20}));
    let big = price_answer(json!({"stck_prpr": "70000", "pad": "x".repeat(100_000)}));
    roomy.kis.script(PRICE, vec![Scripted::Respond(200, big)]);
    assert!(roomy.run(roomy.core.get_price(&sym("005930"))).is_ok());
}

#[test]
fn answers_of_the_wrong_shape_are_decode_errors_naming_the_field() {
    let w = world(json!({}));
    let cases = [
        (price_answer(json!([{"stck_prpr": "70000"}])), "`output`"),
        (
            price_answer(json!({"stck_prpr": {"v": "70000"}})),
            "`output.stck_prpr`",
        ),
        (
            price_answer(json!({"stck_prpr": ["70000"]})),
            "`output.stck_prpr`",
        ),
        (price_answer(json!("70000")), "`output`"),
    ];
    for (body, named) in cases {
        w.kis.script(PRICE, vec![Scripted::Respond(200, body)]);
        let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode, "{named}");
        assert!(e.message.contains(named), "{named}: {}", e.message);
    }
    let rows = json!({"rt_cd": "0", "msg_cd": "KIOK0460", "msg1": "", "ctx_area_fk100": "",
        "ctx_area_nk100": "", "output1": 5, "output2": {}});
    w.kis
        .script(CCLD, vec![Scripted::Respond(200, rows.to_string())]);
    let e = w.run(w.core.get_orders(&Value::Null)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("`output1`"), "{}", e.message);
}

#[test]
fn request_hands_on_kis_text_as_it_came_even_where_a_value_could_not_hold_it() {
    let w = world(json!({}));
    // A lone surrogate escape (which JS's JSON.parse reads, and a serde_json `Value` refuses),
    // a number written as KIS wrote it, and a key twice: the body goes to JS's JSON.parse as
    // KIS's own text, where a `Value` had made the first field null.
    let text =
        r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","odd":"a\ud800b","n":1.50,"k":1,"k":2}"#;
    w.kis
        .script(PRICE, vec![Scripted::Respond(200, text.to_string())]);
    let spec = json!({"path": "/uapi/domestic-stock/v1/quotations/inquire-price", "trId": "FHKST01010100"});
    let reply = w.run(w.core.request(&spec)).unwrap();
    assert_eq!(reply.body.text(), text);
    assert_eq!(
        serde_json::to_string(&reply).unwrap(),
        format!(r#"{{"status":200,"trCont":"","body":{text}}}"#)
    );
}

#[test]
fn secrets_echoed_in_a_successful_answer_are_masked() {
    let w = world(json!({}));
    let token = w.run(w.core.ensure_token()).unwrap();
    let echo = price_answer(json!({
        "stck_prpr": "70000",
        "echo_key": APP_KEY,
        "echo_secret": format!("secret is {APP_SECRET}"),
        "echo_token": format!("Bearer {token}"),
    }));
    w.kis
        .script(PRICE, vec![Scripted::Respond(200, echo.clone()); 2]);
    let quote = w.run(w.core.get_price(&sym("005930"))).unwrap();
    let raw = serde_json::to_string(&quote.raw).unwrap();
    let spec = json!({"path": "/uapi/domestic-stock/v1/quotations/inquire-price", "trId": "FHKST01010100"});
    let reply = w.run(w.core.request(&spec)).unwrap();
    let body = reply.body.to_string();
    for text in [&raw, &body] {
        assert!(!text.contains(APP_KEY), "{text}");
        assert!(!text.contains(APP_SECRET), "{text}");
        assert!(!text.contains(&token), "{text}");
        assert!(text.contains("secret is ***"), "{text}");
    }
    assert_eq!(quote.price, Some(70000.0), "the rest is untouched");
}

/// A secret written with JSON escapes, in a value or a key, is the secret once parsed, and is
/// masked like one written out.
#[test]
fn secrets_echoed_with_json_escapes_are_masked_too() {
    let w = world(json!({}));
    let token = w.run(w.core.ensure_token()).unwrap();
    // `\u0050` is the key's "P", `\/` the secret's "/", and the token's first character is
    // written as its `\u00XX` escape.
    let key = APP_KEY.replacen('P', r"\u0050", 1);
    let secret = APP_SECRET.replacen('/', r"\/", 1);
    let first = token.chars().next().unwrap();
    let spelled_token = format!(r"\u{:04x}{}", u32::from(first), &token[first.len_utf8()..]);
    assert_ne!(key, APP_KEY);
    assert_ne!(secret, APP_SECRET);
    let echo = format!(
        r#"{{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{{"stck_prpr":"70000","echo_key":"{key}","{secret}":"a key","echo_token":"{spelled_token}"}}}}"#
    );
    w.kis.script(PRICE, vec![Scripted::Respond(200, echo)]);
    let quote = w.run(w.core.get_price(&sym("005930"))).unwrap();
    let raw = serde_json::to_string(&quote.raw).unwrap();
    assert!(!raw.contains(APP_KEY), "{raw}");
    assert!(!raw.contains(APP_SECRET), "{raw}");
    assert!(!raw.contains(&token), "{raw}");
    assert_eq!(quote.raw.get("echo_key").as_deref(), Some("***"));
    assert_eq!(quote.raw.get("***").as_deref(), Some("a key"));
    assert_eq!(quote.price, Some(70000.0), "the rest is untouched");
}

/// A text can spell a secret from inside an escape: `\\u0050…` is a backslash, then "u0050…",
/// and `\u0050…` from its second character is the key. Masked in the text, the first backslash
/// would be left escaping the mask's `*`, which JSON has no escape for; the answer is masked
/// string by string instead, where the string `\u0050…` is masked as the key would be (a little
/// more, never less), and stays JSON.
#[test]
fn an_answer_spelling_a_secret_only_across_an_escape_stays_whole() {
    let w = world(json!({}));
    w.run(w.core.ensure_token()).unwrap();
    let tail = APP_KEY.strip_prefix('P').unwrap();
    let echo = format!(
        r#"{{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{{"stck_prpr":"70000","odd":"\\u0050{tail}"}}}}"#
    );
    w.kis
        .script(PRICE, vec![Scripted::Respond(200, echo.clone()); 2]);
    let quote = w.run(w.core.get_price(&sym("005930"))).unwrap();
    assert_eq!(quote.raw.get("odd").as_deref(), Some("***"));
    assert_eq!(quote.price, Some(70000.0));
    let spec = json!({"path": "/uapi/domestic-stock/v1/quotations/inquire-price", "trId": "FHKST01010100"});
    let reply = w.run(w.core.request(&spec)).unwrap();
    assert_eq!(reply.body.value()["output"]["odd"], "***");
}

/// Every line the client logged, warnings first.
fn logged(w: &common::World) -> Vec<String> {
    let warns = w.rec.warns.borrow();
    let errors = w.rec.errors.borrow();
    warns.iter().chain(errors.iter()).cloned().collect()
}

#[test]
fn s4_a_huge_failure_body_is_logged_cut_with_its_length() {
    let w = world(json!({}));
    let page = format!("<html>{}</html>", "x".repeat(200_000));
    w.kis
        .script(PRICE, vec![Scripted::Respond(502, page.clone()); 3]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(
        e.body.as_deref().map(str::len),
        Some(page.len()),
        "the error keeps it"
    );
    let lines = logged(&w);
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.len() < 3_000, "{} chars", line.len());
    }
    let error = w.rec.errors.borrow().join("\n");
    assert!(
        error.contains(&format!("{} bytes in all", page.len())),
        "{error}"
    );
    assert!(
        error.contains("[502] /uapi/domestic-stock/v1/quotations/inquire-price"),
        "{error}"
    );
}

#[test]
fn a_failure_body_with_line_breaks_and_terminal_escapes_is_logged_as_one_plain_line() {
    let w = world(json!({}));
    // A gateway page that would end the log line, forge the next and clear the console.
    let page = "<html>busy\n[kis-wasm] order 0000001 filled\r\u{1b}[2J\u{1b}[31m\u{202e}</html>";
    w.kis
        .script(PRICE, vec![Scripted::Respond(502, page.to_string()); 3]);
    let e = w.run(w.core.get_price(&sym("005930"))).unwrap_err();
    assert_eq!(
        e.body.as_deref(),
        Some(page),
        "the error keeps the body as sent"
    );
    let lines = logged(&w);
    assert_eq!(lines.len(), 3, "two retries and the failure: {lines:?}");
    for line in &lines {
        assert!(!line.contains(char::is_control), "{line:?}");
        assert!(!line.contains('\u{202e}'), "{line:?}");
        assert!(
            line.contains(r"busy\n[kis-wasm] order 0000001 filled\r\u{1b}[2J\u{1b}[31m\u{202e}"),
            "{line:?}"
        );
    }
}

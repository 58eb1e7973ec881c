//! Property tests over arbitrary data: the answer classifier, the input readers and the
//! request-path check hold their promises whatever a hostile server or a careless caller sends.
//! A short run (`PROPTEST_CASES` raises it) is part of the test command.

mod common;

use common::{options, world};
use kis_wasm::engine::config::Config;
use kis_wasm::engine::transport::Clock;
use kis_wasm::env::CustType;
use kis_wasm::envelope::{classify, Verdict};
use kis_wasm::headers::header_safe;
use kis_wasm::order::{CancelRequest, OrderRequest};
use kis_wasm::realtime::session::{Incoming, Session};
use kis_wasm::realtime::shapes::Shape;
use kis_wasm::redact::Redactor;
use kis_wasm::ErrorKind;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Any JSON value, a few levels deep, with KIS-like keys often enough to reach past the
/// readers' first checks.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("symbol".to_string()),
        Just("quantity".to_string()),
        Just("price".to_string()),
        Just("orderType".to_string()),
        Just("orderNo".to_string()),
        Just("orgNo".to_string()),
        Just("baseUrl".to_string()),
        Just("env".to_string()),
        Just("timeoutMs".to_string()),
        Just("retry".to_string()),
        Just("rt_cd".to_string()),
        Just("msg_cd".to_string()),
        Just("output".to_string()),
        ".{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("005930".to_string()),
            Just("0".to_string()),
            Just("EGW00201".to_string()),
            Just("http://127.0.0.1:1".to_string()),
            ".{0,12}",
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Never panics; `Ok` only for a 2xx whose body is a JSON object without a failure code.
    #[test]
    fn the_classifier_takes_any_answer(status in 0u16..1000, body in prop_oneof![".{0,64}", any_json().prop_map(|v| v.to_string())]) {
        let c = classify(status, &body);
        if c.verdict == Verdict::Ok {
            prop_assert!((200..300).contains(&status));
            prop_assert!(matches!(serde_json::from_str::<Value>(&body), Ok(Value::Object(_))));
            prop_assert!(!c.codes.failed);
        }
        if (300..400).contains(&status) || status == 0 {
            prop_assert!(!matches!(c.verdict, Verdict::Ok | Verdict::Transient | Verdict::Decode));
        }
    }

    /// An order read from anything is either refused by a named field, or has the terms KIS
    /// accepts: a 6-character symbol, 1 ≤ quantity and price ≤ 10 digits.
    #[test]
    fn the_order_reader_takes_any_input(v in any_json()) {
        match OrderRequest::from_value("order", &v) {
            Ok(o) => {
                prop_assert_eq!(o.symbol.len(), 6);
                prop_assert!((1..=9_999_999_999).contains(&o.quantity));
                prop_assert!(o.price.is_none_or(|p| (1..=9_999_999_999).contains(&p)));
            }
            Err(e) => {
                prop_assert_eq!(e.kind, ErrorKind::Validation);
                prop_assert!(e.field.as_deref().is_some_and(|f| f.starts_with("order")), "{:?}", e.field);
            }
        }
        if let Err(e) = CancelRequest::from_value(&v) {
            prop_assert_eq!(e.kind, ErrorKind::Validation);
        }
    }

    /// Options read from anything are refused by a named field, or make a client whose base
    /// URL and credentials can travel in a request line and headers.
    #[test]
    fn the_options_reader_takes_any_input(v in any_json()) {
        match Config::from_value(&v) {
            Ok(c) => {
                prop_assert!(header_safe(&c.base_url) && !c.base_url.contains(['?', '#', '@', '%']));
                prop_assert!(header_safe(&c.app_key) && header_safe(&c.app_secret));
            }
            Err(e) => {
                prop_assert_eq!(e.kind, ErrorKind::Validation);
                prop_assert!(e.field.as_deref().is_some_and(|f| f.starts_with("options")), "{:?}", e.field);
            }
        }
    }

    /// A modification or cancel through `call()`, of any market, with any parameters and its
    /// answer lost, and today's orders answering anything: never a panic, never sent twice, and
    /// a success only as KIS's own answer or the row that names the order it changes.
    #[test]
    fn a_change_through_call_with_any_parameters_and_any_list_is_sent_at_most_once(
        api in prop::sample::select(vec![
            "domesticStockOrderRvsecncl",
            "overseasStockOrderRvsecncl",
            "overseasStockDaytimeOrderRvsecncl",
            "domesticFutureoptionOrderRvsecncl",
            "overseasFutureoptionOrderRvsecncl",
            "domesticBondOrderRvsecncl",
        ]),
        original in prop_oneof![Just("0000000777".to_string()), Just("".to_string()), Just("0000000000".to_string()), "[0-9 ]{0,12}"],
        cancel in prop_oneof![Just("01"), Just("02"), Just("")],
        price in prop_oneof![Just(Value::from("60100")), Just(Value::from("0")), any_json()],
        rows in prop::collection::vec(any_json(), 0..4),
        row_original in prop_oneof![Just("0000000777"), Just("0000000888"), Just("")],
    ) {
        let w = world(json!({"env": "real"}));
        let e = kis_wasm::catalogue::find(api).unwrap();
        // Every parameter KIS documents, empty, then the ones a lookup reads.
        let mut params: Map<String, Value> = e.params.iter().map(|p| (p.name.to_string(), json!(""))).collect();
        params.insert("ORGN_ODNO".into(), json!(original));
        params.insert("RVSE_CNCL_DVSN_CD".into(), json!(cancel));
        for name in ["ORD_UNPR", "OVRS_ORD_UNPR", "UNIT_PRICE", "FM_LIMIT_ORD_PRIC", "BOND_ORD_UNPR"] {
            if params.contains_key(name) {
                params.insert(name.into(), price.clone());
            }
        }
        let path = e.path;
        w.kis.script(path, vec![kis_wasm::testing::Scripted::ExecuteThenReset]);
        let mut listed = rows.clone();
        let now = w.clock.now_ms();
        let (date, time) = (kis_wasm::kst::kst_date(now), kis_wasm::kst::kst_time(now));
        listed.push(json!({"odno": "0000001002", "orgn_odno": row_original, "ord_dt": date,
            "ord_tmd": time, "dmst_ord_dt": date, "thco_ord_tmd": time,
            "erlm_dtl_dtime": format!("{date}{time}000")}));
        let list = json!({"rt_cd": "0", "msg_cd": "", "msg1": "", "output1": listed}).to_string();
        for lookup in ["inquire-daily-ccld", "inquire-ccnl", "inquire-ccld"] {
            w.kis.script(lookup, vec![kis_wasm::testing::Scripted::Respond(200, list.clone()); 4]);
        }
        let result = w.run(w.core.call_api(&json!(api), &Value::Object(params), &Value::Null));
        prop_assert!(w.kis.requests_to(path).len() <= 1, "sent twice");
        match result {
            // Its answer never came: a success is the row found.
            Ok(reply) => {
                prop_assert_eq!(row_original, original.as_str());
                let output = &reply.body.value()["output"];
                let output = output.get(0).unwrap_or(output);
                let odno = output.get("ODNO").or(output.get("odno"));
                prop_assert_eq!(odno, Some(&json!("0000001002")));
            }
            Err(e) => prop_assert!(
                [ErrorKind::Validation, ErrorKind::OrderStatusUnknown, ErrorKind::Api].contains(&e.kind),
                "{:?}: {}", e.kind, e.message
            ),
        }
    }

    /// Whatever the caller's path, what goes out stays under /uapi/ and adds no header.
    #[test]
    fn a_request_path_is_refused_or_stays_under_uapi(path in prop_oneof!["/uapi/.{0,24}", ".{0,24}", "/uapi/[a-z%./\r\n-]{0,16}"]) {
        let w = world(json!({}));
        let spec = json!({"path": path, "trId": "FHKST01010100"});
        match w.run(w.core.request(&spec)) {
            Err(e) if e.kind == ErrorKind::Validation => {
                prop_assert_eq!(e.field.as_deref(), Some("request.path"));
                prop_assert_eq!(w.kis.requests.borrow().len(), 0);
            }
            _ => {
                let sent = w.kis.requests.borrow();
                let last = sent.last().unwrap();
                prop_assert_eq!(&last.path, &path);
                prop_assert!(header_safe(&path) && !path.contains("..") && !path.contains('%'));
            }
        }
    }

    /// Whatever a realtime socket sends, in whatever order (subscribe answers with keys of any
    /// length, data frames of any count and fields, encrypted or not, noise), the session
    /// reads it without panicking, and every record it yields takes every curated shape: a
    /// panic there would trap the module from inside the socket's message event.
    #[test]
    fn a_realtime_session_takes_any_frames(frames in prop::collection::vec(realtime_frame(), 1..12)) {
        let session = Session::new("approval-key", CustType::Personal);
        for frame in &frames {
            if let Incoming::Records(records) = session.on_message(frame) {
                for record in records.each() {
                    for shape in [Shape::Record, Shape::Trade, Shape::Orderbook, Shape::Fill] {
                        let _ = serde_json::to_string(&shape.apply(&record));
                    }
                }
            }
        }
    }

    /// A secret in any text, spelled as it is or with JSON escapes, is masked.
    #[test]
    fn a_secret_anywhere_in_a_text_is_masked(before in ".{0,16}", after in ".{0,16}", escaped in any::<bool>()) {
        let secret = "secretVALUE/0123456789+abc==";
        let spelled = if escaped { secret.replace('/', "\\/").replace('+', "\\u002B") } else { secret.to_string() };
        let text = format!("{before}{spelled}{after}");
        let masked = Redactor::new(&[secret]).redact(&text);
        prop_assert!(!masked.contains(&spelled), "{}", masked);
    }
}

/// A realtime frame: KIS's data frames and subscribe answers for TRs it has (and for none),
/// with counts, fields, keys and ivs of every kind, or noise.
fn realtime_frame() -> impl Strategy<Value = String> {
    let tr = prop_oneof![
        Just("H0STCNT0".to_string()),
        Just("H0STASP0".to_string()),
        Just("H0STCNI9".to_string()),
        Just("PINGPONG".to_string()),
        "[A-Z0-9]{0,9}",
    ];
    let count = prop_oneof![
        Just("001".to_string()),
        Just("002".to_string()),
        Just("000".to_string()),
        Just("99999999999999999999".to_string()),
        ".{0,4}",
    ];
    let fields = prop::collection::vec(".{0,8}", 0..70).prop_map(|f| f.join("^"));
    // Encrypted payloads in base64 of any length, so that decryption is reached.
    let payload = prop_oneof![fields, "[A-Za-z0-9+/=]{0,64}"];
    let data = (
        prop_oneof![Just("0"), Just("1"), Just("2")],
        tr.clone(),
        count,
        payload,
    )
        .prop_map(|(e, tr, n, p)| format!("{e}|{tr}|{n}|{p}"));
    let secret = prop_oneof![
        Just("0123456789abcdef0123456789abcdef".to_string()),
        Just("fedcba9876543210".to_string()),
        "[ -~]{0,40}",
    ];
    let answer = (tr, ".{0,12}", ".{0,4}", secret.clone(), secret).prop_map(|(tr, key, rt, k, iv)| {
        json!({
            "header": { "tr_id": tr, "tr_key": key, "encrypt": "N" },
            "body": { "rt_cd": rt, "msg_cd": "OPSP0000", "msg1": "x", "output": { "key": k, "iv": iv } },
        })
        .to_string()
    });
    prop_oneof![data, answer, ".{0,80}"]
}

#[test]
fn the_generators_reach_accepted_inputs_too() {
    // Not only refusals: a valid order and valid options pass the same readers.
    assert!(OrderRequest::from_value("order", &json!({"symbol": "005930", "quantity": 1})).is_ok());
    assert!(Config::from_value(&options(json!({}))).is_ok());
}

/// Calls of a simulated client through the limiter: (arrives at ms, a write?, answered after ms).
/// Returns each call's send time, in call order.
fn simulate_limiter(limit: u32, calls: &[(f64, bool, f64)]) -> Vec<f64> {
    use kis_wasm::engine::rate_limit::{Gate, RateLimiter};
    let lim = RateLimiter::new(limit);
    let mut tickets: Vec<Option<u64>> = vec![None; calls.len()];
    let mut sent: Vec<Option<f64>> = vec![None; calls.len()];
    let mut answered: Vec<bool> = vec![false; calls.len()];
    let mut now = 0.0;
    for _ in 0..100_000 {
        // Arrivals take their tickets in call order; answers come; waiting calls go.
        for (i, &(at, write, _)) in calls.iter().enumerate() {
            if at <= now && tickets[i].is_none() {
                tickets[i] = Some(lim.ticket(write));
            }
        }
        for (i, &(_, _, latency)) in calls.iter().enumerate() {
            if let Some(s) = sent[i] {
                if !answered[i] && s + latency <= now {
                    answered[i] = true;
                    lim.done(tickets[i].unwrap(), now);
                }
            }
        }
        let mut next = f64::INFINITY;
        let mut moved = false;
        for i in 0..calls.len() {
            let (Some(t), None) = (tickets[i], sent[i]) else {
                continue;
            };
            match lim.check(t, now) {
                Gate::Go => {
                    lim.sent(t, now);
                    sent[i] = Some(now);
                    moved = true;
                }
                Gate::WaitUntil(at) => next = next.min(at),
                Gate::WaitForChange => {}
            }
        }
        if sent.iter().all(Option::is_some) && answered.iter().all(|a| *a) {
            return sent.into_iter().map(Option::unwrap).collect();
        }
        if moved {
            continue;
        }
        for (i, &(at, _, latency)) in calls.iter().enumerate() {
            if tickets[i].is_none() {
                next = next.min(at);
            }
            if let (Some(s), false) = (sent[i], answered[i]) {
                next = next.min(s + latency);
            }
        }
        assert!(next.is_finite() && next > now, "stuck at {now}: {sent:?}");
        now = next;
    }
    panic!("the simulation did not end");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// B4 with writes ahead of waiting reads: every call leaves, no window of a second holds
    /// more than the limit, and reads keep their order among themselves, as writes do.
    #[test]
    fn b4_writes_ahead_of_reads_keep_the_window_and_each_class_its_order(
        limit in 1u32..5,
        calls in proptest::collection::vec((0u32..3000, any::<bool>(), 0u32..400), 1..40),
    ) {
        let mut calls: Vec<(f64, bool, f64)> = calls
            .into_iter()
            .map(|(at, write, latency)| (f64::from(at), write, f64::from(latency)))
            .collect();
        calls.sort_by(|a, b| a.0.total_cmp(&b.0));
        let sent = simulate_limiter(limit, &calls);
        let mut times = sent.clone();
        times.sort_by(f64::total_cmp);
        for (i, t0) in times.iter().enumerate() {
            let within = times[i..].iter().take_while(|t| **t < t0 + 1000.0).count();
            prop_assert!(within <= limit as usize, "{within} sends in the second from {t0}: {times:?}");
        }
        for class in [false, true] {
            let of: Vec<f64> = calls.iter().zip(&sent).filter(|(c, _)| c.1 == class).map(|(_, s)| *s).collect();
            prop_assert!(of.windows(2).all(|w| w[0] <= w[1]), "out of order: {of:?}");
        }
    }
}

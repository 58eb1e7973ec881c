//! Answers that are cut, garbled or of the wrong shape. A panic in the shipped wasm traps the
//! instance and takes every client in it down, so whatever KIS (or a proxy in between) sends,
//! the parser and the engine must answer with an error, never a panic.
#![allow(clippy::disallowed_macros)]

mod common;

use common::*;
use kis_wasm::models::*;
use kis_wasm::testing::Scripted;
use serde_json::json;
use serde_json::Value;

/// xorshift64: the same cases on every run.
fn rng(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    }
}

#[test]
fn mutated_kis_bodies_never_panic_the_parser_or_the_models() {
    let seeds = [
        r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상","output":{"stck_prpr":"71000","prdy_vrss":"-400","prdy_ctrt":"+0.57","acml_vol":" 964742 ","stck_oprc":"1e3","stck_hgpr":"","hts_kor_isnm":"삼성전자"}}"#,
        r#"{"rt_cd":"0","output1":[{"pdno":"005930","hldg_qty":"10","pchs_avg_pric":"70000.5","evlu_pfls_rt":"-1.2"}],"output2":[{"dnca_tot_amt":"1000"}],"ctx_area_fk100":"a  ","ctx_area_nk100":""}"#,
        r#"{"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."}"#,
        r#"{"error_code":"EGW00133","error_description":"x"}"#,
        r#"{"rt_cd":"0","output":{"ODNO":"0000001","KRX_FWDG_ORD_ORGNO":"06010","ORD_TMD":"093000"}}"#,
    ];
    let alphabet: &[u8] = b"{}[]\",:0123456789-+.eE \\u\nabc\x00\xc3\xa9";
    let mut next = rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for round in 0..50_000 {
        let mut b = seeds[round % seeds.len()].as_bytes().to_vec();
        for _ in 0..1 + next(6) {
            let i = next(b.len() as u64 + 1) as usize;
            let c = alphabet[next(alphabet.len() as u64) as usize];
            match next(3) {
                0 if i < b.len() => drop(b.remove(i)),
                1 => b.insert(i, c),
                _ => b.truncate(i),
            }
        }
        let Ok(text) = std::str::from_utf8(&b) else {
            continue;
        };
        for status in [200, 401, 403, 500] {
            kis_wasm::envelope::classify(status, text);
        }
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            parsed += 1;
            // Whatever shape KIS's answer took, the result is a value JS can be given.
            let o = v.get("output").cloned().unwrap_or(Value::Null);
            let quote = serde_json::to_string(&Quote::from_output("005930", o)).unwrap();
            serde_json::from_str::<Value>(&quote).unwrap();
            let o = v.get("output").cloned().unwrap_or(Value::Null);
            Quote::from_output("005930", o.clone());
            DailyBar::from_row(o.clone());
            Holding::from_row(o.clone());
            BalanceSummary::from_row(o.clone());
            OrderAck::from_output(o.clone());
            Order::from_row(o.clone());
            BuyingPower::from_output(o);
        }
    }
    assert!(
        parsed > 1000,
        "the mutations also make valid JSON ({parsed})"
    );
}

#[test]
fn the_engine_answers_garbled_replies_with_errors() {
    let bodies = [
        r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{"stck_prpr":"71000","stck_bsop_date":"20261127"},"output1":[{"pdno":"005930","odno":"1","ord_tmd":"093000","ord_qty":"1","sll_buy_dvsn_cd":"02","stck_bsop_date":"2026112"}],"output2":[{"dnca_tot_amt":"1"}],"ctx_area_fk100":"x","ctx_area_nk100":"y"}"#,
        r#"{"access_token":"fake-access-token-9999-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","token_type":"Bearer","expires_in":-5,"access_token_token_expired":"2026-13-45 99:99:99"}"#,
        r#"{"HASH":""}"#,
        r#"{"rt_cd":"1","msg_cd":"EGW00123","msg1":"x"}"#,
        "[]",
        "",
        "null",
        r#"{"output":[1,2,{"a":[]}],"output1":{},"output2":"s"}"#,
    ];
    let paths = [
        "/oauth2/tokenP",
        "/uapi/hashkey",
        "/inquire-price",
        "/inquire-daily-price",
        "/inquire-balance",
        "/inquire-psbl-order",
        "/order-cash",
        "/order-rvsecncl",
        "/inquire-daily-ccld",
    ];
    let statuses = [200, 200, 200, 401, 403, 404, 500, 502, 504];
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    let mut succeeded = [0; 8];
    for _ in 0..1500 {
        let w = world(json!({"retry": {"delayMs": 0}}));
        for path in paths {
            let answers = (0..next(4))
                .map(|_| {
                    let mut b = bodies[next(bodies.len() as u64) as usize].to_string();
                    let cut = next(b.len() as u64 + 1) as usize;
                    if next(3) == 0 && b.is_char_boundary(cut) {
                        b.truncate(cut);
                    }
                    match next(6) {
                        0 => Scripted::Reset,
                        1 => Scripted::ExecuteThenReset,
                        2 => Scripted::Timeout,
                        _ => Scripted::Respond(statuses[next(9) as usize], b),
                    }
                })
                .collect();
            w.kis.script(path, answers);
        }
        let s = json!("005930");
        let results = [
            w.run(w.core.get_price(&s)).is_ok(),
            w.run(w.core.get_daily_prices(&s, &json!({}))).is_ok(),
            w.run(w.core.get_balance()).is_ok(),
            w.run(w.core.get_buying_power(&json!({"symbol": "005930"})))
                .is_ok(),
            w.run(w.core.get_orders(&json!({}))).is_ok(),
            w.run(w.core.buy(&json!({"symbol": "005930", "quantity": 1})))
                .is_ok(),
            w.run(
                w.core
                    .cancel(&json!({"orderNo": "0000001001", "orgNo": "06010"})),
            )
            .is_ok(),
            w.run(w.core.force_refresh_token()).is_ok(),
        ];
        for (n, ok) in succeeded.iter_mut().zip(results) {
            *n += u32::from(ok);
        }
    }
    // Every path was reached far enough to succeed at times, so the garbling hit deep code.
    assert!(succeeded.iter().all(|&n| n > 0), "{succeeded:?}");
}

/// Text as JSON.parse reads a string's contents: every escape decoded, left to right.
fn json_unescaped(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(e @ ('/' | '\\' | '"')) => {
                chars.next();
                out.push(e);
            }
            Some('u') => {
                let hex: String = chars.clone().skip(1).take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(d) if hex.len() == 4 => {
                        chars.nth(4);
                        out.push(d);
                    }
                    _ => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

#[test]
fn redaction_leaves_no_spelling_of_a_secret() {
    let secrets = [
        "ab/cd+ef==AB09",
        "PSappkey0123456789",
        "x\\y\"z/0123456789",
        r"n\\u0041\\-12345",
    ];
    let redactor = kis_wasm::redact::Redactor::new(&secrets);
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    let spelled = |secret: &str, next: &mut dyn FnMut(u64) -> u64| {
        let mut s = String::new();
        for c in secret.chars() {
            match (next(4), c) {
                (0, '/' | '\\' | '"') => s.push_str(&format!("\\{c}")),
                (1, _) => s.push_str(&format!("\\u{:04x}", c as u32)),
                (2, _) => s.push_str(&format!("\\u{:04X}", c as u32)),
                _ if c == '\\' || c == '"' => s.push_str(&format!("\\{c}")),
                _ => s.push(c),
            }
        }
        s
    };
    let noise = [
        "토큰", "\\", "\\\\", "\\u", "\\u00", "\\u002", "\\u00e9", "\\n", "\"", "a", "b", "/", "*",
        " ", "é", "ab/cd",
    ];
    for round in 0..20_000 {
        let with_secrets = round % 2 == 0;
        let mut text = String::new();
        for _ in 0..1 + next(8) {
            match next(3) {
                0 if with_secrets => {
                    let secret = secrets[next(secrets.len() as u64) as usize];
                    if next(3) == 0 {
                        text.push_str(secret); // as it stands, not JSON
                    } else {
                        text.push_str(&spelled(secret, &mut next));
                    }
                }
                _ => text.push_str(noise[next(noise.len() as u64) as usize]),
            }
        }
        let out = redactor.redact(&text);
        // Read as JSON or as it stands (a log line, an HTML page), no secret is left.
        let read = json_unescaped(&out);
        for secret in secrets {
            assert!(!read.contains(secret), "{text:?} → {out:?}");
            assert!(!out.contains(secret), "{text:?} → {out:?}");
        }
        // Without a backslash there are no escapes to read either way: nothing else changes.
        if !text.contains('\\') && !secrets.iter().any(|s| text.contains(s)) {
            assert_eq!(out, text, "nothing to mask");
        }
    }
}

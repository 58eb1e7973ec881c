//! The generic call path over the catalogue (`call(api, params, options)`), against the fake KIS:
//! every policy of the typed methods, and every check before anything is sent.

mod common;

use common::{sym, world};
use kis_wasm::catalogue;
use kis_wasm::engine::transport::{Clock, Method};
use kis_wasm::testing::Scripted;
use kis_wasm::ErrorKind;
use serde_json::{json, Value};

const PRICE: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";
const ORDER: &str = "/uapi/domestic-stock/v1/trading/order-cash";

fn refused(w: &common::World, api: &str, params: Value, options: Value, field: &str) -> String {
    let before = w.kis.requests.borrow().len();
    let e = w
        .run(w.core.call_api(&sym(api), &params, &options))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation, "{api}: {}", e.message);
    assert_eq!(e.field.as_deref(), Some(field), "{api}: {}", e.message);
    assert_eq!(w.kis.requests.borrow().len(), before, "nothing was sent");
    e.message.clone()
}

#[test]
fn b9_a_catalogued_read_sends_every_documented_parameter_in_kis_order() {
    let w = world(json!({}));
    let params = json!({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"});
    for api in ["domesticStockInquirePrice", PRICE] {
        let reply = w
            .run(w.core.call_api(&sym(api), &params, &Value::Null))
            .unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.body.value()["output"]["stck_prpr"],
            "70000",
            "{}",
            reply.body
        );
    }
    let sent = w.kis.requests_to("/inquire-price");
    let last = sent.last().unwrap();
    assert_eq!(last.header("tr_id"), Some("FHKST01010100"));
    let documented: Vec<&str> = catalogue::find(PRICE)
        .unwrap()
        .params
        .iter()
        .map(|p| p.name)
        .collect();
    let keys: Vec<&str> = last.query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, documented);
}

#[test]
fn b6_parameters_are_checked_before_anything_is_sent() {
    let w = world(json!({}));
    let m = refused(
        &w,
        "domesticStockInquirePrice",
        json!({"FID_INPUT_ISCD": "005930"}),
        Value::Null,
        "params.FID_COND_MRKT_DIV_CODE",
    );
    assert!(m.contains("required"), "{m}");
    let m = refused(
        &w,
        "domesticStockInquirePrice",
        json!({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930", "FID_INPUT_ISCD2": "x"}),
        Value::Null,
        "params.FID_INPUT_ISCD2",
    );
    assert!(m.contains("FID_INPUT_ISCD"), "names the right ones: {m}");
    refused(
        &w,
        "domesticStockInquirePrice",
        json!({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": 5930}),
        Value::Null,
        "params.FID_INPUT_ISCD",
    );
    let m = refused(
        &w,
        "domesticStockInquirePrise",
        json!({}),
        Value::Null,
        "api",
    );
    assert!(m.contains("not a KIS API"), "{m}");
    refused(
        &w,
        "domesticStockInquirePrice",
        json!({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}),
        json!({"pages": 2}),
        "options.pages",
    );
}

#[test]
fn b6_an_order_through_call_whose_terms_cannot_be_read_is_refused_by_name_before_it_is_sent() {
    // What B5's lookup would match the order's row by must read as KIS means it: KIS refuses
    // most of these too, but only once the order is out.
    let w = world(json!({}));
    let cash = |qty: &str, price: &str| json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": qty, "ORD_UNPR": price});
    let buy = json!({"trId": "VTTC0012U"});
    for qty in ["0", "1.5", "-1", "ten", ""] {
        let m = refused(&w, ORDER, cash(qty, "70000"), buy.clone(), "params.ORD_QTY");
        assert!(m.contains("whole number above 0"), "{m}");
    }
    for price in ["NaN", "70,000", "1e5", "Infinity", ".", "7O000"] {
        let m = refused(&w, ORDER, cash("1", price), buy.clone(), "params.ORD_UNPR");
        assert!(
            m.contains(&format!("{price:?}")),
            "says what it was given: {m}"
        );
    }
    let w = world(json!({"env": "real"}));
    let futures = json!({"ORD_PRCS_DVSN_CD": "02", "SLL_BUY_DVSN_CD": "03", "SHTN_PDNO": "101W09",
        "ORD_QTY": "1", "UNIT_PRICE": "352.25", "ORD_DVSN_CD": "01"});
    refused(
        &w,
        "domesticFutureoptionOrder",
        futures,
        json!({"trId": "TTTO1101U"}),
        "params.SLL_BUY_DVSN_CD",
    );
    let change = json!({"KRX_FWDG_ORD_ORGNO": "", "ORGN_ODNO": "0000000000", "ORD_DVSN": "00", "RVSE_CNCL_DVSN_CD": "02",
        "ORD_QTY": "0", "ORD_UNPR": "0", "QTY_ALL_ORD_YN": "Y"});
    refused(
        &w,
        "domesticStockOrderRvsecncl",
        change,
        Value::Null,
        "params.ORGN_ODNO",
    );

    // A market order's "0", and a spread's negative price, go out.
    let w = world(json!({}));
    let market = json!({"PDNO": "005930", "ORD_DVSN": "01", "ORD_QTY": "1", "ORD_UNPR": "0"});
    let reply = w.run(w.core.call_api(&sym(ORDER), &market, &buy)).unwrap();
    assert_eq!(reply.body.value()["rt_cd"], "0", "{}", reply.body);
    let w = world(json!({"env": "real"}));
    let spread = json!({"ORD_PRCS_DVSN_CD": "02", "SLL_BUY_DVSN_CD": "02", "SHTN_PDNO": "401W9Z",
        "ORD_QTY": "1", "UNIT_PRICE": "-0.35", "ORD_DVSN_CD": "01"});
    let path = catalogue::find("domesticFutureoptionOrder").unwrap().path;
    let answer = r#"{"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료","output":{"ODNO":"0000004321"}}"#;
    w.kis
        .script(path, vec![Scripted::Respond(200, answer.into())]);
    let reply = w.run(w.core.call_api(
        &sym("domesticFutureoptionOrder"),
        &spread,
        &json!({"trId": "TTTO1101U"}),
    ));
    assert_eq!(reply.unwrap().body.value()["output"]["ODNO"], "0000004321");
    assert_eq!(
        w.kis.requests_to(path)[0].header("tr_id"),
        Some("TTTO1101U")
    );
}

#[test]
fn an_api_kis_does_not_offer_in_mock_is_refused_there_and_goes_out_in_real() {
    let mock = world(json!({}));
    let params = json!({"INQR_DVSN": "03", "CUST_RNCNO25": "", "HMID": "", "INQR_STRT_DT": "20260101",
        "INQR_END_DT": "20260131", "RGHT_TYPE_CD": "", "PDNO": "", "PRDT_TYPE_CD": ""});
    let m = refused(
        &mock,
        "domesticStockPeriodRights",
        params.clone(),
        Value::Null,
        "api",
    );
    assert!(
        m.contains("not offered by KIS in the mock environment"),
        "{m}"
    );
    let real = world(json!({"env": "real"}));
    // The fake KIS has no such page (404): what matters is that it went out, with its TR ID.
    let _ = real.run(
        real.core
            .call_api(&sym("domesticStockPeriodRights"), &params, &Value::Null),
    );
    let sent = real.kis.requests_to("/period-rights");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("tr_id"), Some("CTRGA011R"));
    assert_eq!(
        sent[0].query_value("CANO"),
        Some("12345678"),
        "the account is filled in"
    );
    assert_eq!(sent[0].query_value("ACNT_PRDT_CD"), Some("01"));
    assert_eq!(
        sent[0].query_value("CTX_AREA_FK100"),
        Some(""),
        "continuation keys start empty"
    );
}

/// The workbook's Length column is documentation, not a rule: KIS's own examples break it
/// (inquire-ccnl's FID_INPUT_ISCD is "2" beside "ex 005930", order-credit's PDNO "5", dates "2"
/// in inquire-period-profit), so a value longer than it goes out as given.
#[test]
fn b6_a_parameter_longer_than_the_workbook_says_goes_out_as_kis_takes_it() {
    let w = world(json!({"env": "real"}));
    // The fake KIS has no such pages (404): what matters is what went out.
    let _ = w.run(w.core.call_api(
        &sym("domesticStockInquireCcnl"),
        &json!({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}),
        &Value::Null,
    ));
    let sent = w.kis.requests_to("/quotations/inquire-ccnl");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].query_value("FID_INPUT_ISCD"), Some("005930"));

    let params = json!({"OVRS_EXCG_CD": "NASD", "NATN_CD": "", "CRCY_CD": "USD", "PDNO": "",
        "INQR_STRT_DT": "20261101", "INQR_END_DT": "20261130", "WCRC_FRCR_DVSN_CD": "01"});
    let _ = w.run(w.core.call_api(
        &sym("overseasStockInquirePeriodProfit"),
        &params,
        &Value::Null,
    ));
    let sent = w.kis.requests_to("/inquire-period-profit");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].query_value("OVRS_EXCG_CD"), Some("NASD"));
    assert_eq!(sent[0].query_value("INQR_STRT_DT"), Some("20261101"));
}

#[test]
fn an_api_of_several_tr_ids_asks_which_and_a_post_is_an_order_that_is_never_resent() {
    let w = world(json!({}));
    let order = json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "1", "ORD_UNPR": "70000"});
    let m = refused(
        &w,
        "domesticStockOrderCash",
        order.clone(),
        Value::Null,
        "options.trId",
    );
    assert!(
        m.contains("VTTC0011U (매도)") && m.contains("VTTC0012U (매수)"),
        "{m}"
    );
    refused(
        &w,
        "domesticStockOrderCash",
        order.clone(),
        json!({"trId": "TTTC0012U"}),
        "options.trId",
    );
    let reply = w
        .run(
            w.core
                .call_api(&sym(ORDER), &order, &json!({"trId": "VTTC0012U"})),
        )
        .unwrap();
    assert_eq!(
        reply.body.value()["output"]["ODNO"],
        w.kis.orders.borrow()[0].order_no
    );
    let sent = w.kis.requests_to("/order-cash");
    let body: Value = serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["CANO"], "12345678");
    assert_eq!(body["ORD_UNPR"], "70000");
    assert!(sent[0].header("hashkey").is_some(), "S2 as for buy()");

    // B5 as for buy(): an order whose answer is lost is looked up in today's orders, found
    // there, and answered as KIS would have; never sent again.
    w.kis.script(
        "/order-cash",
        vec![Scripted::ExecuteThen(500, String::new())],
    );
    let reply = w
        .run(
            w.core
                .call_api(&sym(ORDER), &order, &json!({"trId": "VTTC0012U"})),
        )
        .unwrap();
    assert_eq!(w.kis.requests_to("/order-cash").len(), 2);
    assert_eq!(w.kis.orders.borrow().len(), 2);
    assert_eq!(
        reply.body.value()["output"]["ODNO"],
        w.kis.orders.borrow()[1].order_no,
        "{}",
        reply.body
    );
    assert!(!w.kis.requests_to("/inquire-daily-ccld").is_empty());

    // An order that fails, and one whose answer is lost.
    let failing = |params: &Value| {
        w.run(
            w.core
                .call_api(&sym(ORDER), params, &json!({"trId": "VTTC0012U"})),
        )
        .unwrap_err()
    };
    let lost = |params: &Value| {
        w.kis.script(
            "/order-cash",
            vec![Scripted::ExecuteThen(500, String::new())],
        );
        failing(params)
    };

    // Not listed yet: unknown, never sent again.
    w.kis.listing_lag_ms.set(60_000.0);
    let e = lost(&order);
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(
        e.message.contains("not among today's orders"),
        "{}",
        e.message
    );
    assert_eq!(w.kis.requests_to("/order-cash").len(), 3);
    assert_eq!(w.kis.orders.borrow().len(), 3);

    // Another account, named in the parameters: its terms are checked all the same, but its
    // list is not this client's to read, so its lost answer ends unknown with no list asked.
    w.kis.listing_lag_ms.set(0.0);
    let mut theirs = order.clone();
    theirs["CANO"] = json!("87654321");
    theirs["ORD_QTY"] = json!("0");
    let e = failing(&theirs);
    assert_eq!(e.field.as_deref(), Some("params.ORD_QTY"), "{}", e.message);
    assert_eq!(
        w.kis.requests_to("/order-cash").len(),
        3,
        "refused before it was sent"
    );
    theirs["ORD_QTY"] = json!("1");
    let lists = w.kis.requests_to("/inquire-daily-ccld").len();
    let e = lost(&theirs);
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert_eq!(w.kis.requests_to("/order-cash").len(), 4, "sent once");
    assert_eq!(w.kis.requests_to("/inquire-daily-ccld").len(), lists);
}

#[test]
fn b5_other_order_posts_are_never_resent_and_end_unknown() {
    // An order API with no lookup of today's orders behind it (a change of a reserved order,
    // which rewrites its row): after an answer that may have executed, orderStatusUnknown, sent
    // once, and no list asked.
    let w = world(json!({"env": "real"}));
    let path = "/uapi/domestic-stock/v1/trading/order-resv-rvsecncl";
    let api = catalogue::find(path).unwrap();
    let mut params = serde_json::Map::new();
    for p in api.params.iter().filter(|p| p.required) {
        params.insert(p.name.to_string(), json!("1"));
    }
    params.insert("PDNO".into(), json!("005930"));
    w.kis.script(
        "/order-resv-rvsecncl",
        vec![Scripted::Respond(500, "<html>oops</html>".into())],
    );
    let e = w
        .run(w.core.call_api(
            &sym(path),
            &Value::Object(params),
            &json!({"trId": "CTSC0009U"}),
        ))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert_eq!(w.kis.requests_to("/order-resv-rvsecncl").len(), 1);
    let asked = w.kis.requests.borrow();
    assert!(
        asked.iter().all(|r| r.method == Method::Post),
        "no list is asked"
    );
}

/// A reserved order's cancel of order 0030001234, taken on `day`, its answer lost: the US's
/// (`order-resv-ccnl`) or Asia's (`order-resv` with `RVSE_CNCL_DVSN_CD` 02); the list answers
/// `rows` (number, day, `cncl_yn`) at each look.
fn lost_resv_cancel(
    asia: bool,
    day: &str,
    rows: &[(&str, &str, &str)],
) -> (common::World, Result<Value, kis_wasm::KisError>) {
    let w = world(json!({"env": "real"}));
    let (path, cancel, tr) = match asia {
        false => (
            "/overseas-stock/v1/trading/order-resv-ccnl",
            json!({"RSYN_ORD_RCIT_DT": day, "OVRS_RSVN_ODNO": "0030001234"}),
            "TTTT3017U",
        ),
        true => (
            "/overseas-stock/v1/trading/order-resv",
            json!({"SLL_BUY_DVSN_CD": "01", "RVSE_CNCL_DVSN_CD": "02", "PDNO": "7203",
                "PRDT_TYPE_CD": "515", "OVRS_EXCG_CD": "TKSE", "FT_ORD_QTY": "100",
                "FT_ORD_UNPR3": "2500", "RSVN_ORD_RCIT_DT": day, "OVRS_RSVN_ODNO": "0030001234"}),
            "TTTS3013U",
        ),
    };
    w.kis.script(
        path,
        vec![Scripted::Respond(502, "<html>Bad Gateway</html>".into())],
    );
    let rows: Vec<Value> = rows
        .iter()
        .map(|(no, day, cancelled)| {
            json!({"cncl_yn": cancelled, "rsvn_ord_rcit_dt": day, "ovrs_rsvn_odno": no,
                "pdno": "AAPL", "sll_buy_dvsn_cd": "02", "ft_ord_qty": "2",
                "ft_ord_unpr3": "150.25000000", "ord_rcit_tmd": "093000", "odno": ""})
        })
        .collect();
    let list = json!({"rt_cd": "0", "msg_cd": "KIOK0460", "msg1": "", "output": rows}).to_string();
    w.kis.script(
        "/overseas-stock/v1/trading/order-resv-list",
        vec![
            Scripted::Respond(200, list.clone()),
            Scripted::Respond(200, list),
        ],
    );
    let reply = w.run(w.core.call_api(
        &sym(&format!("/uapi{path}")),
        &cancel,
        &json!({"trId": tr}),
    ));
    (w, reply.map(|r| r.body.value()))
}

/// The two reserved orders' cancels: the API they go to, the list's TR ID, how a message
/// names the list, and the field of the answer that numbers the order.
struct ResvCancel {
    asia: bool,
    sent_to: &'static str,
    list_tr: &'static str,
    listed: &'static str,
    field: &'static str,
}

const RESV_CANCELS: [ResvCancel; 2] = [
    ResvCancel {
        asia: false,
        sent_to: "/order-resv-ccnl",
        list_tr: "TTTT3039R",
        listed: "the reserved orders in overseasStockOrderResvList",
        field: "OVRS_RSVN_ODNO",
    },
    ResvCancel {
        asia: true,
        sent_to: "/trading/order-resv",
        list_tr: "TTTS3014R",
        listed: "Asia's reserved orders in overseasStockOrderResvList (trId TTTS3014R)",
        field: "ODNO",
    },
];

#[test]
fn b5_a_reserved_orders_lost_cancel_is_found_as_the_mark_on_the_orders_own_row() {
    // KIS marks the reserved order's own row (cncl_yn "Y") rather than listing the cancel: the
    // US's through order-resv-ccnl, Asia's through the API that placed it.
    for ResvCancel {
        asia,
        sent_to,
        list_tr,
        listed,
        field,
    } in RESV_CANCELS
    {
        let (w, reply) = lost_resv_cancel(
            asia,
            "20261204",
            &[
                ("0030000001", "20261204", "N"),
                ("0030001234", "20261204", "Y"),
            ],
        );
        let body = reply.unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(body["output"][field], "0030001234", "{body}");
        assert_eq!(
            body["msg1"],
            format!("the answer was lost; found in {listed} as 0030001234")
        );
        assert_eq!(w.kis.requests_to(sent_to).len(), 1, "sent once");
        let lookup = &w.kis.requests_to("/order-resv-list")[0];
        assert_eq!(lookup.header("tr_id"), Some(list_tr));
    }
}

#[test]
fn b5_a_reserved_orders_lost_cancel_is_not_taken_from_another_days_row_nor_an_unmarked_one() {
    // The same number on another day, marked: another order. Its own row, not marked: the
    // cancel may still come. Either way unknown, and never resent.
    for ResvCancel {
        asia,
        sent_to,
        listed,
        ..
    } in RESV_CANCELS
    {
        let (w, reply) = lost_resv_cancel(
            asia,
            "20261204",
            &[
                ("0030001234", "20261203", "Y"),
                ("0030001234", "20261204", "N"),
            ],
        );
        let e = reply.unwrap_err();
        assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
        let ending = format!(
            " and {listed} do not show order 0030001234 cancelled yet, but KIS may still take a \
             slow request; check {listed} before cancelling again"
        );
        assert!(
            e.message.starts_with("the cancel may have reached KIS (")
                && e.message.ends_with(&ending),
            "{}",
            e.message
        );
        assert_eq!(w.kis.requests_to(sent_to).len(), 1, "sent once");
        assert_eq!(
            w.kis.requests_to("/order-resv-list").len(),
            2,
            "looked twice"
        );

        // Without the order's day, no row is surely its own: not looked up.
        let (w, reply) = lost_resv_cancel(asia, "", &[("0030001234", "20261204", "Y")]);
        assert_eq!(reply.unwrap_err().kind, ErrorKind::OrderStatusUnknown);
        assert!(
            w.kis.requests_to("/order-resv-list").is_empty(),
            "no list asked"
        );
    }
}

#[test]
fn b5_a_lost_order_whose_list_kis_does_not_offer_here_sends_the_trader_to_kis_itself() {
    // The reserved orders' lists are real only, their order APIs not: in the mock environment
    // there is nothing to look a lost reserved order up in, nor a list to send the trader to.
    let w = world(json!({"env": "mock"}));
    w.kis.script(
        "/overseas-stock/v1/trading/order-resv",
        vec![Scripted::Respond(502, "<html>Bad Gateway</html>".into())],
    );
    let order = json!({"RVSE_CNCL_DVSN_CD": "00", "PDNO": "AAPL", "PRDT_TYPE_CD": "512",
        "OVRS_EXCG_CD": "NASD", "FT_ORD_QTY": "2", "FT_ORD_UNPR3": "150.25", "ORD_DVSN": "00"});
    let e = w
        .run(w.core.call_api(
            &sym("overseasStockOrderResv"),
            &order,
            &json!({"trId": "VTTT3014U"}),
        ))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", e.message);
    assert!(
        e.message.starts_with("the order may have reached KIS (")
            && e.message.ends_with(
                " and KIS's mock environment offers no overseasStockOrderResvList to look it up \
                 in; check your orders in KIS's app or website before placing it again"
            ),
        "{}",
        e.message
    );
    assert_eq!(
        w.kis
            .requests_to("/overseas-stock/v1/trading/order-resv")
            .len(),
        1,
        "sent once"
    );
    assert!(
        w.kis.requests_to("/order-resv-list").is_empty(),
        "no list asked"
    );
}

/// One market's order through `call()`, its answer lost, and its list of orders as KIS answers
/// it: `row` (with `{date}`, `{time}` for now) beside a row on other terms.
struct Market {
    env: &'static str,
    api: &'static str,
    tr_id: Option<&'static str>,
    params: Value,
    list: &'static str,
    row: Value,
    /// The field of the answer that numbers the order, and the list's column it is read from.
    numbered: (&'static str, &'static str),
}

fn markets() -> Vec<Market> {
    vec![
        Market {
            env: "mock",
            api: "overseasStockOrder",
            tr_id: Some("VTTT1002U"),
            params: json!({"OVRS_EXCG_CD": "NASD", "PDNO": "AAPL", "ORD_QTY": "2",
                "OVRS_ORD_UNPR": "150.25", "ORD_SVR_DVSN_CD": "0", "ORD_DVSN": "00"}),
            list: "/overseas-stock/v1/trading/inquire-ccnl",
            row: json!({"pdno": "AAPL", "sll_buy_dvsn_cd": "02", "ft_ord_qty": "2",
                "ft_ord_unpr3": "150.25000000", "dmst_ord_dt": "{date}", "thco_ord_tmd": "{time}",
                "ord_tmd": "040000", "odno": "0000001001", "ord_gno_brno": "01790", "orgn_odno": ""}),
            numbered: ("ODNO", "odno"),
        },
        Market {
            env: "real",
            api: "domesticFutureoptionOrder",
            tr_id: Some("TTTO1101U"),
            params: json!({"ORD_PRCS_DVSN_CD": "02", "SLL_BUY_DVSN_CD": "01", "SHTN_PDNO": "101W09",
                "ORD_QTY": "1", "UNIT_PRICE": "352.25", "ORD_DVSN_CD": "01"}),
            list: "/domestic-futureoption/v1/trading/inquire-ccnl",
            row: json!({"pdno": "101W09", "sll_buy_dvsn_cd": "01", "ord_qty": "1", "ord_idx": "352.25",
                "nmpr_type_cd": "01", "ord_dt": "{date}", "ord_tmd": "{time}", "odno": "0000001001",
                "ord_gno_brno": "00950", "orgn_odno": "0000000000", "trad_dvsn_name": "매도"}),
            numbered: ("ODNO", "odno"),
        },
        Market {
            env: "real",
            api: "overseasFutureoptionOrder",
            tr_id: None,
            params: json!({"OVRS_FUTR_FX_PDNO": "6AM24", "SLL_BUY_DVSN_CD": "02", "PRIC_DVSN_CD": "1",
                "FM_LIMIT_ORD_PRIC": "0.6512", "FM_STOP_ORD_PRIC": "", "FM_ORD_QTY": "3",
                "CCLD_CNDT_CD": "6", "CPLX_ORD_DVSN_CD": "0", "ECIS_RSVN_ORD_YN": "N",
                "FM_HDGE_ORD_SCRN_YN": "N"}),
            list: "/overseas-futureoption/v1/trading/inquire-ccld",
            row: json!({"ovrs_futr_fx_pdno": "6AM24", "sll_buy_dvsn_cd": "02", "fm_ord_qty": "3",
                "fm_ord_pric": "0.651200", "ord_dt": "{date}", "erlm_dtl_dtime": "{date}{time}123",
                "odno": "0000001001", "orgn_odno": ""}),
            numbered: ("ODNO", "odno"),
        },
        Market {
            env: "real",
            api: "domesticBondBuy",
            tr_id: None,
            params: json!({"PDNO": "KR6095572D81", "ORD_QTY2": "10", "BOND_ORD_UNPR": "10150.5",
                "SAMT_MKET_PTCI_YN": "N", "BOND_RTL_MKET_YN": "N", "IDCR_STFNO": "",
                "MGCO_APTM_ODNO": "", "ORD_SVR_DVSN_CD": "0", "CTAC_TLNO": ""}),
            list: "/domestic-bond/v1/trading/inquire-daily-ccld",
            row: json!({"shtn_pdno": "KR6095572D81", "sll_buy_dvsn_cd": "02", "ord_qty": "10",
                "bond_ord_unpr": "10150.5", "ord_dt": "{date}", "ord_tmd": "{time}",
                "odno": "0000001001", "ord_gno_brno": "06010", "orgn_odno": ""}),
            numbered: ("ODNO", "odno"),
        },
        Market {
            env: "real",
            api: "domesticStockOrderResv",
            tr_id: None,
            params: json!({"PDNO": "005930", "ORD_QTY": "3", "ORD_UNPR": "69500",
                "SLL_BUY_DVSN_CD": "02", "ORD_DVSN_CD": "00", "ORD_OBJT_CBLC_DVSN_CD": "10"}),
            list: "/domestic-stock/v1/trading/order-resv-ccnl",
            row: json!({"pdno": "005930", "sll_buy_dvsn_cd": "02", "ord_rsvn_qty": "3",
                "ord_rsvn_unpr": "69500", "ord_dvsn_cd": "00", "rsvn_ord_rcit_dt": "{date}",
                "rsvn_ord_rcit_tmd": "{time}", "rsvn_ord_ord_dt": "20261207", "rsvn_ord_seq": "51",
                "odno": ""}),
            numbered: ("rsvn_ord_seq", "rsvn_ord_seq"),
        },
        Market {
            env: "real",
            api: "overseasStockOrderResv",
            tr_id: Some("TTTT3014U"),
            params: json!({"RVSE_CNCL_DVSN_CD": "00", "PDNO": "AAPL", "PRDT_TYPE_CD": "512",
                "OVRS_EXCG_CD": "NASD", "FT_ORD_QTY": "2", "FT_ORD_UNPR3": "150.25", "ORD_DVSN": "00"}),
            list: "/overseas-stock/v1/trading/order-resv-list",
            row: json!({"pdno": "AAPL", "sll_buy_dvsn_cd": "02", "ft_ord_qty": "2",
                "ft_ord_unpr3": "150.25000000", "rsvn_ord_rcit_dt": "{date}", "ord_rcit_tmd": "{time}",
                "ovrs_rsvn_odno": "0030001234", "odno": "", "cncl_yn": "N"}),
            numbered: ("ODNO", "ovrs_rsvn_odno"),
        },
        Market {
            env: "real",
            api: "overseasStockOrderResv",
            tr_id: Some("TTTS3013U"),
            params: json!({"SLL_BUY_DVSN_CD": "01", "RVSE_CNCL_DVSN_CD": "00", "PDNO": "7203",
                "PRDT_TYPE_CD": "515", "OVRS_EXCG_CD": "TKSE", "FT_ORD_QTY": "100",
                "FT_ORD_UNPR3": "2500"}),
            list: "/overseas-stock/v1/trading/order-resv-list",
            row: json!({"pdno": "7203", "sll_buy_dvsn_cd": "01", "ft_ord_qty": "100",
                "ft_ord_unpr3": "2500.0000", "rsvn_ord_rcit_dt": "{date}", "ord_rcit_tmd": "{time}",
                "ovrs_rsvn_odno": "0030005678", "odno": "", "cncl_yn": "N"}),
            numbered: ("ODNO", "ovrs_rsvn_odno"),
        },
    ]
}

/// `row` as KIS lists it now, or `ago_ms` before now.
fn listed(w: &common::World, m: &Market, ago_ms: f64) -> String {
    let at = w.clock.now_ms() - ago_ms;
    let row = m
        .row
        .to_string()
        .replace("{date}", &kis_wasm::kst::kst_date(at))
        .replace("{time}", &kis_wasm::kst::kst_time(at));
    let row: Value = serde_json::from_str(&row).unwrap();
    // The same order on other terms: another quantity.
    let mut other = row.clone();
    for qty in ["ord_qty", "ft_ord_qty", "fm_ord_qty", "ord_rsvn_qty"] {
        if other.get(qty).is_some() {
            other[qty] = json!("99");
        }
    }
    let group = match m.list {
        l if l.contains("domestic-futureoption") || l.contains("domestic-bond") => "output1",
        _ => "output",
    };
    let rows = match m.list {
        // KIS's example answers the overseas list of one with the row itself.
        l if l.contains("overseas-stock") => row,
        _ => json!([other, row]),
    };
    json!({"rt_cd": "0", "msg_cd": "KIOK0460", "msg1": "", group: rows}).to_string()
}

#[test]
fn b5_every_market_with_a_list_of_orders_finds_a_lost_order_there_and_never_resends_it() {
    for m in markets() {
        let w = world(json!({"env": m.env}));
        let api = catalogue::find(m.api).unwrap();
        let send = |w: &common::World| {
            let options = m.tr_id.map_or(Value::Null, |id| json!({"trId": id}));
            w.run(w.core.call_api(&sym(m.api), &m.params, &options))
        };
        // A domestic order first, answered as 0000001001: the number the market's list gives
        // the lost order. Markets number apart, so it is not taken for one already known.
        let tr = if m.env == "mock" {
            "VTTC0012U"
        } else {
            "TTTC0012U"
        };
        let domestic =
            json!({"PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "1", "ORD_UNPR": "70000"});
        let first = w.run(
            w.core
                .call_api(&sym(ORDER), &domestic, &json!({"trId": tr})),
        );
        assert_eq!(first.unwrap().body.value()["output"]["ODNO"], "0000001001");
        w.kis.script(
            api.path,
            vec![Scripted::Respond(502, "<html>Bad Gateway</html>".into())],
        );
        w.kis
            .script(m.list, vec![Scripted::Respond(200, listed(&w, &m, 0.0))]);
        let reply = send(&w).unwrap_or_else(|e| panic!("{}: {}", m.api, e.message));
        assert_eq!(w.kis.requests_to(api.path).len(), 1, "{}: sent once", m.api);
        let lookup = &w.kis.requests_to(m.list)[0];
        assert_eq!(lookup.query_value("CANO"), Some("12345678"), "{}", m.api);
        // The one list shows the US's reserved orders under its first TR ID, Asia's under
        // another.
        let list = catalogue::find(&format!("/uapi{}", m.list)).unwrap();
        let list_tr = match (m.tr_id, m.env) {
            (Some("TTTS3013U"), _) => "TTTS3014R",
            (_, "mock") => list.mock.as_ref().unwrap()[0].id,
            _ => list.real[0].id,
        };
        assert_eq!(lookup.header("tr_id"), Some(list_tr), "{}", m.api);
        if m.api == "domesticStockOrderResv" {
            // The list may date a reserved order by the day it is for: asked well past today.
            let ahead = kis_wasm::kst::kst_date(w.clock.now_ms() + 40.0 * 86_400_000.0);
            assert_eq!(lookup.query_value("RSVN_ORD_END_DT"), Some(ahead.as_str()));
        }
        let output = &reply.body.value()["output"];
        // In the shape of the order API's own answer: rows for domestic futures.
        let output = output.get(0).unwrap_or(output);
        let (field, column) = m.numbered;
        let odno = output.get(field).or(output.get(field.to_lowercase()));
        let want = serde_json::from_str::<Value>(&listed(&w, &m, 0.0)).unwrap();
        let rows = ["output", "output1"]
            .iter()
            .find_map(|g| want.get(g))
            .unwrap();
        let want_odno = rows.as_array().map_or(&rows[column], |r| &r[1][column]);
        assert!(!want_odno.as_str().unwrap().is_empty(), "{}", m.api);
        let odno = odno.unwrap_or_else(|| panic!("{}: {field} in {}", m.api, reply.body));
        assert_eq!(odno, want_odno, "{}: {}", m.api, reply.body);
        // Named by the list it was found in, which call() reads: not today's orders of
        // getOrders(), which shows domestic stock only.
        let list_name = &catalogue::find(&format!("/uapi{}", m.list)).unwrap().name;
        // Asia's reserved orders are listed under a TR ID the list is not called with unless
        // told: the trader is told it.
        let list_name = &match m.tr_id {
            Some("TTTS3013U") => format!("{list_name} (trId TTTS3014R)"),
            _ => list_name.to_string(),
        };
        let body = reply.body.value();
        let msg1 = body["msg1"].as_str().unwrap();
        assert!(
            msg1.starts_with("the answer was lost; found in ")
                && msg1.contains(&format!(
                    " in {list_name} as {}",
                    want_odno.as_str().unwrap()
                )),
            "{}",
            reply.body
        );

        // Listed only from before it was sent: someone else's, so unknown; still sent once.
        let w = world(json!({"env": m.env}));
        w.kis.script(
            api.path,
            vec![Scripted::Respond(502, "<html>Bad Gateway</html>".into())],
        );
        let earlier = listed(&w, &m, 60_000.0);
        w.kis.script(
            m.list,
            vec![
                Scripted::Respond(200, earlier.clone()),
                Scripted::Respond(200, earlier),
            ],
        );
        let e = send(&w).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::OrderStatusUnknown,
            "{}: {}",
            m.api,
            e.message
        );
        assert!(
            e.message.contains("did not place")
                && e.message
                    .ends_with(&format!("in {list_name} before placing it again")),
            "{}: {}",
            m.api,
            e.message
        );
        assert_eq!(w.kis.requests_to(api.path).len(), 1, "{}", m.api);
    }
}

/// A change (modification or cancel) of an order of the market `m`, through `call()`: its API,
/// TR ID, parameters naming order 0000000777, what it is, and the list's code for both sides.
struct Change {
    market: Market,
    what: &'static str,
    side: (&'static str, &'static str),
}

fn changes() -> Vec<Change> {
    let mut m = markets().into_iter();
    let mut next = |api, tr_id, params: Value, row_price: (&str, &str)| {
        let mut market = m.next().unwrap();
        market.api = api;
        market.tr_id = tr_id;
        market.params = params;
        // KIS's row of the change: a new number, naming the order it changes.
        market.row["odno"] = json!("0000001002");
        market.row["orgn_odno"] = json!("0000000777");
        market.row[row_price.0] = json!(row_price.1);
        market
    };
    vec![
        Change {
            market: next(
                "overseasStockOrderRvsecncl",
                Some("VTTT1004U"),
                json!({"OVRS_EXCG_CD": "NASD", "PDNO": "AAPL", "ORGN_ODNO": "0000000777",
                    "RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "2", "OVRS_ORD_UNPR": "0",
                    "ORD_SVR_DVSN_CD": "0"}),
                ("ft_ord_unpr3", "150.25000000"),
            ),
            what: "the cancel",
            side: ("SLL_BUY_DVSN", "00"),
        },
        Change {
            market: next(
                "domesticFutureoptionOrderRvsecncl",
                Some("TTTO1103U"),
                json!({"ORD_PRCS_DVSN_CD": "02", "RVSE_CNCL_DVSN_CD": "01",
                    "ORGN_ODNO": "0000000777", "ORD_QTY": "1", "UNIT_PRICE": "352.5",
                    "NMPR_TYPE_CD": "01", "KRX_NMPR_CNDT_CD": "0", "RMN_QTY_YN": "Y",
                    "ORD_DVSN_CD": "01"}),
                ("ord_idx", "352.50"),
            ),
            what: "the modification",
            side: ("SLL_BUY_DVSN_CD", "00"),
        },
        Change {
            market: next(
                "overseasFutureoptionOrderRvsecncl",
                Some("OTFM3003U"),
                json!({"ORGN_ORD_DT": "20260105", "ORGN_ODNO": "0000000777",
                    "FM_HDGE_ORD_SCRN_YN": "N", "FM_MKPR_CVSN_YN": "N"}),
                ("fm_ord_pric", "0.651200"),
            ),
            what: "the cancel",
            side: ("SLL_BUY_DVSN_CD", "%%"),
        },
        Change {
            market: next(
                "domesticBondOrderRvsecncl",
                None,
                json!({"PDNO": "KR6095572D81", "ORGN_ODNO": "0000000777", "ORD_QTY2": "10",
                    "BOND_ORD_UNPR": "10200", "QTY_ALL_ORD_YN": "Y", "RVSE_CNCL_DVSN_CD": "01",
                    "MGCO_APTM_ODNO": "", "ORD_SVR_DVSN_CD": "0", "CTAC_TLNO": ""}),
                ("bond_ord_unpr", "10200"),
            ),
            what: "the modification",
            side: ("SLL_BUY_DVSN_CD", "%"),
        },
    ]
}

/// The list holding the change's row and, before it, another order's change (naming
/// 0000000888); `ours` false: the other's only.
fn listed_changes(w: &common::World, m: &Market, ours: bool) -> String {
    let mut body: Value = serde_json::from_str(&listed(w, m, 0.0)).unwrap();
    let group = ["output", "output1"]
        .into_iter()
        .find(|g| body.get(g).is_some())
        .unwrap();
    let row = match &body[group] {
        Value::Array(rows) => rows[1].clone(),
        row => row.clone(),
    };
    let mut other = row.clone();
    other["odno"] = json!("0000001001");
    other["orgn_odno"] = json!("0000000888");
    body[group] = match ours {
        true => json!([other, row]),
        false => json!([other]),
    };
    body.to_string()
}

#[test]
fn b5_a_change_through_call_whose_answer_is_lost_is_found_in_its_markets_list_and_never_resent() {
    for c in changes() {
        let m = &c.market;
        let api = catalogue::find(m.api).unwrap();
        let send = |w: &common::World| {
            let options = m.tr_id.map_or(Value::Null, |id| json!({"trId": id}));
            w.run(w.core.call_api(&sym(m.api), &m.params, &options))
        };
        let w = world(json!({"env": m.env}));
        w.kis.script(
            api.path,
            vec![Scripted::Respond(502, "<html>Bad Gateway</html>".into())],
        );
        w.kis.script(
            m.list,
            vec![Scripted::Respond(200, listed_changes(&w, m, true))],
        );
        let reply = send(&w).unwrap_or_else(|e| panic!("{}: {}", m.api, e.message));
        assert_eq!(w.kis.requests_to(api.path).len(), 1, "{}: sent once", m.api);
        let lookup = &w.kis.requests_to(m.list)[0];
        assert_eq!(lookup.query_value(c.side.0), Some(c.side.1), "{}", m.api);
        let output = &reply.body.value()["output"];
        let output = output.get(0).unwrap_or(output);
        let odno = output.get("ODNO").or(output.get("odno"));
        assert_eq!(
            odno,
            Some(&json!("0000001002")),
            "{}: {}",
            m.api,
            reply.body
        );

        // Only another order's change listed: unknown, saying which it was; still sent once.
        let w = world(json!({"env": m.env}));
        w.kis.script(
            api.path,
            vec![Scripted::Respond(502, "<html>Bad Gateway</html>".into())],
        );
        let theirs = listed_changes(&w, m, false);
        w.kis
            .script(m.list, vec![Scripted::Respond(200, theirs); 2]);
        let e = send(&w).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OrderStatusUnknown, "{}", m.api);
        assert!(
            e.message.starts_with(c.what) && e.message.contains("not among today's orders"),
            "{}: {}",
            m.api,
            e.message
        );
        assert_eq!(w.kis.requests_to(api.path).len(), 1, "{}", m.api);
    }
}

#[test]
fn b7_all_pages_follows_tr_cont_and_joins_the_rows() {
    let w = world(json!({}));
    w.kis.balance_pages.set(3);
    let params = json!({"AFHR_FLPR_YN": "N", "OFL_YN": "", "INQR_DVSN": "02", "UNPR_DVSN": "01",
        "FUND_STTL_ICLD_YN": "N", "FNCG_AMT_AUTO_RDPT_YN": "N", "PRCS_DVSN": "00"});
    let api = sym("domesticStockInquireBalance");
    let one = w.run(w.core.call_api(&api, &params, &Value::Null)).unwrap();
    let all = w
        .run(w.core.call_api(&api, &params, &json!({"allPages": true})))
        .unwrap();
    let rows = |v: &Value| v["output1"].as_array().map_or(0, Vec::len);
    assert!(
        rows(&all.body.value()) > rows(&one.body.value()),
        "{} vs {}",
        rows(&all.body.value()),
        rows(&one.body.value())
    );
    assert!(
        w.kis.violations.borrow().is_empty(),
        "{:?}",
        w.kis.violations.borrow()
    );
}

#[test]
fn the_orderbook_is_ten_levels_a_side_best_first_as_numbers() {
    let w = world(json!({}));
    let mut book = serde_json::Map::new();
    book.insert("aspr_acpt_hour".into(), json!("093015"));
    for i in 1..=10 {
        book.insert(format!("askp{i}"), json!(format!("{}", 71000 + i * 100)));
        book.insert(format!("bidp{i}"), json!(format!("{}", 71100 - i * 100)));
        book.insert(format!("askp_rsqn{i}"), json!(format!(" {} ", i * 10)));
        book.insert(format!("bidp_rsqn{i}"), json!(format!("{}", i * 20)));
    }
    book.insert("total_askp_rsqn".into(), json!("550"));
    let body = json!({"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "", "output1": book,
        "output2": {"antc_cnpr": "0", "antc_vol": "0", "stck_shrn_iscd": "005930"}});
    w.kis.script(
        "/inquire-asking-price-exp-ccn",
        vec![Scripted::Respond(200, body.to_string())],
    );
    let ob = w.run(w.core.get_orderbook(&sym("005930"))).unwrap();
    assert_eq!((ob.asks.len(), ob.bids.len()), (10, 10));
    assert_eq!(ob.asks[0].price, Some(71100.0));
    assert_eq!(ob.bids[0].price, Some(71000.0));
    assert_eq!(ob.asks[0].quantity, Some(10.0), "KIS's padding trimmed");
    assert_eq!(ob.time, "09:30:15");
    assert_eq!(ob.total_ask_quantity, Some(550.0));
    assert_eq!(
        ob.expected_price, None,
        "no auction price in continuous trading"
    );
    let sent = w.kis.requests_to("/inquire-asking-price-exp-ccn");
    assert_eq!(sent[0].header("tr_id"), Some("FHKST01010200"));
    assert_eq!(sent[0].query_value("FID_INPUT_ISCD"), Some("005930"));
    let e = w.run(w.core.get_orderbook(&sym("5930"))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("symbol"));
}

#[test]
fn a_modification_is_order_rvsecncl_with_01_and_as_safe_as_a_cancel() {
    let w = world(json!({}));
    let ack = w
        .run(
            w.core
                .buy(&json!({"symbol": "005930", "quantity": 2, "price": 60000})),
        )
        .unwrap();
    let modify = json!({"orderNo": ack.order_no, "orgNo": ack.org_no, "price": 60100});
    w.run(w.core.modify(&modify)).unwrap();
    let sent = w.kis.requests_to("/order-rvsecncl");
    let body: Value = serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["RVSE_CNCL_DVSN_CD"], "01");
    assert_eq!(body["ORD_DVSN"], "00");
    assert_eq!(body["ORD_UNPR"], "60100");
    assert_eq!(body["QTY_ALL_ORD_YN"], "Y");
    assert_eq!(sent[0].header("tr_id"), Some("VTTC0013U"));
    // A limit type without a price, a price on a market type, and no price at all (which used
    // to make the resting order a market one), are refused by name.
    for (bad, field) in [
        (json!({"orderNo": "1", "orgNo": "06010"}), "modify.price"),
        (
            json!({"orderNo": "1", "orgNo": "06010", "orderType": "00"}),
            "modify.price",
        ),
        (
            json!({"orderNo": "1", "orgNo": "06010", "orderType": "01", "price": 1}),
            "modify.price",
        ),
        (
            json!({"orderNo": "x", "orgNo": "06010", "price": 1}),
            "modify.orderNo",
        ),
    ] {
        let e = w.run(w.core.modify(&bad)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{bad}");
    }
    // An answer that may have been executed: unknown, never resent.
    w.kis.script(
        "/order-rvsecncl",
        vec![Scripted::ExecuteThen(500, String::new())],
    );
    let e = w.run(w.core.modify(&modify)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OrderStatusUnknown);
    assert!(e.message.contains("modification"), "{}", e.message);
    assert_eq!(w.kis.requests_to("/order-rvsecncl").len(), 2);
}

//! Order and cancel bodies. The body string built here is the one the hashkey is computed over
//! and the one sent, byte for byte, so key order and formatting are fixed in one place.

use serde_json::Value;

use crate::account::Account;
use crate::error::{KisError, Result};
use crate::input::{read, whole_number};
use crate::inputs::{CancelInput, ModifyInput, OrderBodyInput, OrderInput};
use crate::symbol::validate_symbol;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// `SLL_BUY_DVSN_CD` in inquire-daily-ccld.
    pub fn ccld_code(self) -> &'static str {
        match self {
            Side::Sell => "01",
            Side::Buy => "02",
        }
    }

    /// The side of a [`Side::ccld_code`]; None for any other code ("00", all).
    pub fn from_ccld_code(code: &str) -> Option<Side> {
        match code {
            "01" => Some(Side::Sell),
            "02" => Some(Side::Buy),
            _ => None,
        }
    }
}

/// Order types (ORD_DVSN) whose price is the order's limit and so must be given.
const PRICED: &[&str] = &["00", "02", "11", "12"];
/// Market-type orders: the price is set by the exchange and ORD_UNPR must be "0".
const MARKET: &[&str] = &["01", "03", "04", "13", "14", "15", "16"];
/// ORD_QTY and ORD_UNPR are 10-digit fields at KIS; anything longer is a mistake, not an order.
const MAX_QUANTITY: f64 = 9_999_999_999.0;
const MAX_PRICE: f64 = 9_999_999_999.0;
/// KIS's exchanges for a domestic order (EXCG_ID_DVSN_CD): the Korea Exchange, Nextrade, and
/// KIS's smart routing between them.
pub const EXCHANGES: &[&str] = &["KRX", "NXT", "SOR"];
/// The remaining KRX codes, where a price is optional.
const OTHER: &[&str] = &["05", "06", "07", "21", "23", "24"];

#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    pub symbol: String,
    pub quantity: u64,
    pub price: Option<u64>,
    pub order_type: String,
    /// EXCG_ID_DVSN_CD.
    pub exchange: String,
}

impl OrderRequest {
    /// `{ symbol, quantity, price?, orderType?, exchange? }`; price given → limit "00", else
    /// market "01".
    pub fn from_value(scope: &str, v: &Value) -> Result<OrderRequest> {
        OrderRequest::from_input(scope, read::<OrderInput>(scope, v)?)
    }

    pub fn from_input(scope: &str, o: OrderInput) -> Result<OrderRequest> {
        let name = |k: &str| format!("{scope}.{k}");
        validate_symbol(&name("symbol"), &o.symbol)?;
        let quantity = whole_number(&name("quantity"), o.quantity, 1.0, MAX_QUANTITY)?;
        let price = o
            .price
            .map(|p| whole_number(&name("price"), p, 1.0, MAX_PRICE))
            .transpose()?;
        let order_type = match o.order_type {
            Some(t) => t,
            None if price.is_some() => "00".to_string(),
            None => "01".to_string(),
        };
        check_order_type(&name("orderType"), &name("price"), &order_type, price)?;
        let exchange = exchange_code(&name("exchange"), o.exchange.as_deref())?;
        Ok(OrderRequest {
            symbol: o.symbol,
            quantity,
            price,
            order_type,
            exchange,
        })
    }

    /// ORD_UNPR: the limit price, or "0" for market-type orders.
    pub fn unit_price(&self) -> String {
        self.price
            .map_or_else(|| "0".to_string(), |n| n.to_string())
    }
}

/// What an order type is, for the error that refuses one: a caller may well try "market".
pub const ORDER_TYPE_HINT: &str = "a 2-digit code such as \"00\" (limit) or \"01\" (market), \
     or none: \"00\" with a price, \"01\" without";

fn check_order_type(field: &str, price_field: &str, t: &str, price: Option<u64>) -> Result<()> {
    if t == "22" {
        return Err(KisError::validation(
            field,
            "stop-limit (\"22\") needs a condition price; send it with request()",
        ));
    }
    if PRICED.contains(&t) && price.is_none() {
        return Err(KisError::validation(
            price_field,
            format!("is required for order type \"{t}\" (a limit price)"),
        ));
    }
    if MARKET.contains(&t) && price.is_some() {
        return Err(KisError::validation(
            price_field,
            format!("must be omitted for market-type order \"{t}\" (KIS sets the price)"),
        ));
    }
    if !PRICED.contains(&t) && !MARKET.contains(&t) && !OTHER.contains(&t) {
        return Err(KisError::validation(
            field,
            format!("is not a KRX order type (ORD_DVSN), got {t:?}: {ORDER_TYPE_HINT}"),
        ));
    }
    Ok(())
}

/// The order-cash body, in the order of KIS's own sample. Side is not in the body: it is the TR ID.
pub fn order_body(account: &Account, o: &OrderRequest) -> Vec<(&'static str, String)> {
    vec![
        ("CANO", account.cano.clone()),
        ("ACNT_PRDT_CD", account.product.clone()),
        ("PDNO", o.symbol.clone()),
        ("ORD_DVSN", o.order_type.clone()),
        ("ORD_QTY", o.quantity.to_string()),
        ("ORD_UNPR", o.unit_price()),
        ("EXCG_ID_DVSN_CD", o.exchange.clone()),
        ("SLL_TYPE", String::new()),
        ("CNDT_PRIC", String::new()),
    ]
}

/// `buildOrderBody({ account, symbol, quantity, price?, orderType?, exchange? })`.
pub fn build_order_body(v: &Value) -> Result<Vec<(&'static str, String)>> {
    let input = read::<OrderBodyInput>("order", v)?;
    let order = OrderRequest::from_input("order", input.order())?;
    let account = Account::parse("order.account", &input.account)?;
    Ok(order_body(&account, &order))
}

/// A cancel, or a modification (정정) when `revision` is set, of an open order.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelRequest {
    pub order_no: String,
    pub org_no: String,
    /// None = the whole remaining quantity.
    pub quantity: Option<u64>,
    pub revision: Option<Revision>,
    /// EXCG_ID_DVSN_CD: the exchange the order went to.
    pub exchange: String,
}

/// What a modification changes the order to: its type (ORD_DVSN) and limit price.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub order_type: String,
    pub price: Option<u64>,
}

impl CancelRequest {
    /// `{ orderNo, orgNo, quantity?: number | "all", exchange? }`.
    pub fn from_value(v: &Value) -> Result<CancelRequest> {
        let c = read::<CancelInput>("cancel", v)?;
        CancelRequest::target(
            "cancel",
            &c.order_no,
            &c.org_no,
            c.quantity.as_ref(),
            c.exchange.as_deref(),
            None,
        )
    }

    /// `{ orderNo, orgNo, quantity?: number | "all", price?, orderType?, exchange? }`: price
    /// given → limit "00", as for an order. Unlike an order, no price is not a market type: a
    /// market modification says `orderType` ("01"), since one that only forgot its price would
    /// otherwise execute a resting limit order at once, at any price.
    pub fn from_modify(v: &Value) -> Result<CancelRequest> {
        let m = read::<ModifyInput>("modify", v)?;
        let price = m
            .price
            .map(|p| whole_number("modify.price", p, 1.0, MAX_PRICE))
            .transpose()?;
        let order_type = match m.order_type {
            Some(t) => t,
            None if price.is_some() => "00".to_string(),
            None => {
                return Err(KisError::validation(
                    "modify.price",
                    "is required: the order's new limit price (to make it a market order \
                     instead, say orderType: \"01\")",
                ))
            }
        };
        check_order_type("modify.orderType", "modify.price", &order_type, price)?;
        let revision = Revision { order_type, price };
        CancelRequest::target(
            "modify",
            &m.order_no,
            &m.org_no,
            m.quantity.as_ref(),
            m.exchange.as_deref(),
            Some(revision),
        )
    }

    fn target(
        scope: &str,
        order_no: &str,
        org_no: &str,
        quantity: Option<&Value>,
        exchange: Option<&str>,
        revision: Option<Revision>,
    ) -> Result<CancelRequest> {
        let field = |k: &str| format!("{scope}.{k}");
        let order_no = digits(&field("orderNo"), order_no, 10)?;
        let org_no = digits(&field("orgNo"), org_no, 5)?;
        let quantity = match quantity {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s == "all" => None,
            Some(Value::Number(n)) => Some(whole_number(
                &field("quantity"),
                n.as_f64().unwrap_or(f64::NAN),
                1.0,
                MAX_QUANTITY,
            )?),
            Some(_) => {
                return Err(KisError::validation(
                    &field("quantity"),
                    "must be a positive whole number or \"all\"",
                ))
            }
        };
        let exchange = exchange_code(&field("exchange"), exchange)?;
        Ok(CancelRequest {
            order_no: order_no.to_string(),
            org_no: org_no.to_string(),
            quantity,
            revision,
            exchange,
        })
    }
}

/// EXCG_ID_DVSN_CD: one of KIS's three, "KRX" when none is given (as KIS takes none). For a
/// change, the order's own: KIS refuses one sent elsewhere.
fn exchange_code(field: &str, given: Option<&str>) -> Result<String> {
    match given {
        None => Ok("KRX".to_string()),
        Some(e) if EXCHANGES.contains(&e) => Ok(e.to_string()),
        Some(e) => Err(KisError::validation(
            field,
            format!(
                "must be \"KRX\", \"NXT\" or \"SOR\" (for a change, its order's, as \
                 getOrders() lists it), got {e:?}"
            ),
        )),
    }
}

fn digits<'a>(field: &str, s: &'a str, max: usize) -> Result<&'a str> {
    if s.is_empty() || s.len() > max || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(KisError::validation(
            field,
            format!("must be 1 to {} digits, got {s:?}", max as u64),
        ));
    }
    Ok(s)
}

/// The order-rvsecncl body: a cancel (RVSE_CNCL_DVSN_CD "02"), or a modification ("01") to the
/// revision's type and price.
pub fn cancel_body(account: &Account, c: &CancelRequest) -> Vec<(&'static str, String)> {
    vec![
        ("CANO", account.cano.clone()),
        ("ACNT_PRDT_CD", account.product.clone()),
        ("KRX_FWDG_ORD_ORGNO", c.org_no.clone()),
        ("ORGN_ODNO", c.order_no.clone()),
        (
            "ORD_DVSN",
            c.revision
                .as_ref()
                .map_or_else(|| "00".to_string(), |r| r.order_type.clone()),
        ),
        (
            "RVSE_CNCL_DVSN_CD",
            if c.revision.is_some() { "01" } else { "02" }.to_string(),
        ),
        (
            "ORD_QTY",
            c.quantity
                .map_or_else(|| "0".to_string(), |n| n.to_string()),
        ),
        (
            "ORD_UNPR",
            c.revision
                .as_ref()
                .and_then(|r| r.price)
                .map_or_else(|| "0".to_string(), |p| p.to_string()),
        ),
        (
            "QTY_ALL_ORD_YN",
            if c.quantity.is_none() { "Y" } else { "N" }.to_string(),
        ),
        ("CNDT_PRIC", String::new()),
        ("EXCG_ID_DVSN_CD", c.exchange.clone()),
    ]
}

/// A flat JSON object with string values, keys in the given order: an order's body, a hashkey
/// request's, a request's headers for fetch. Written straight from the pairs, with no map built
/// and dropped on the way (each `/uapi` call writes its headers so).
pub fn json_object(pairs: &[(&str, String)]) -> String {
    // String keys and values: nothing serde_json could refuse.
    serde_json::to_string(&crate::row::Pairs(pairs)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn acct() -> Account {
        Account::parse("account", "12345678").unwrap()
    }

    #[test]
    fn s9_market_order_body() {
        let o = OrderRequest::from_value("order", &json!({"symbol": "005930", "quantity": 10}))
            .unwrap();
        let body = json_object(&order_body(&acct(), &o));
        assert_eq!(
            body,
            r#"{"CANO":"12345678","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"01","ORD_QTY":"10","ORD_UNPR":"0","EXCG_ID_DVSN_CD":"KRX","SLL_TYPE":"","CNDT_PRIC":""}"#
        );
    }

    #[test]
    fn s9_limit_order_when_a_price_is_given() {
        let v = json!({"symbol": "360750", "quantity": 3, "price": 15000});
        let o = OrderRequest::from_value("order", &v).unwrap();
        let body = order_body(&acct(), &o);
        assert!(body.contains(&("ORD_DVSN", "00".into())));
        assert!(body.contains(&("ORD_UNPR", "15000".into())));
        assert!(body.contains(&("ORD_QTY", "3".into())));
    }

    #[test]
    fn b6_order_inputs_are_validated_with_the_field_named() {
        let cases = [
            (json!({"symbol": "5930", "quantity": 1}), "order.symbol"),
            (json!({"symbol": "005930", "quantity": 0}), "order.quantity"),
            (
                json!({"symbol": "005930", "quantity": 1.5}),
                "order.quantity",
            ),
            (json!({"symbol": "005930"}), "order.quantity"),
            (
                json!({"symbol": "005930", "quantity": 1, "price": -5}),
                "order.price",
            ),
            (
                json!({"symbol": "005930", "quantity": 1, "price": 10.5}),
                "order.price",
            ),
            (
                json!({"symbol": "005930", "quantity": 1, "orderType": "00"}),
                "order.price",
            ),
            (
                json!({"symbol": "005930", "quantity": 1, "orderType": "01", "price": 5}),
                "order.price",
            ),
            (
                json!({"symbol": "005930", "quantity": 1, "orderType": "99"}),
                "order.orderType",
            ),
            (
                json!({"symbol": "005930", "quantity": 1, "qty": 1}),
                "order.qty",
            ),
            (json!({"symbol": 5930, "quantity": 1}), "order.symbol"),
        ];
        for (v, field) in cases {
            let e = OrderRequest::from_value("order", &v).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{v}");
        }
        // A word where KIS takes a code says which codes.
        let v = json!({"symbol": "005930", "quantity": 1, "orderType": "market"});
        let e = OrderRequest::from_value("order", &v).unwrap_err();
        assert!(
            e.message.contains(
                "got \"market\": a 2-digit code such as \"00\" (limit) or \"01\" (market)"
            ),
            "{}",
            e.message
        );
    }

    #[test]
    fn build_order_body_needs_an_account() {
        let e = build_order_body(&json!({"symbol": "005930", "quantity": 1})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.account"));
        let b =
            build_order_body(&json!({"account": "12345678-22", "symbol": "005930", "quantity": 1}))
                .unwrap();
        assert_eq!(b[1], ("ACNT_PRDT_CD", "22".to_string()));
    }

    #[test]
    fn a_market_modification_says_so() {
        let m = json!({"orderNo": "0001569157", "orgNo": "06010", "orderType": "01"});
        let c = CancelRequest::from_modify(&m).unwrap();
        let r = c.revision.unwrap();
        assert_eq!((r.order_type.as_str(), r.price), ("01", None));
        let e = CancelRequest::from_modify(&json!({"orderNo": "0001569157", "orgNo": "06010"}))
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("modify.price"));
        assert!(e.message.contains("orderType: \"01\""), "{}", e.message);
    }

    #[test]
    fn cancel_body_all_or_some() {
        let c =
            CancelRequest::from_value(&json!({"orderNo": "0001569157", "orgNo": "06010"})).unwrap();
        let b = cancel_body(&acct(), &c);
        assert!(b.contains(&("QTY_ALL_ORD_YN", "Y".into())));
        assert!(b.contains(&("RVSE_CNCL_DVSN_CD", "02".into())));
        let c =
            CancelRequest::from_value(&json!({"orderNo": "1", "orgNo": "06010", "quantity": 2}))
                .unwrap();
        let b = cancel_body(&acct(), &c);
        assert!(b.contains(&("QTY_ALL_ORD_YN", "N".into())));
        assert!(b.contains(&("ORD_QTY", "2".into())));
        let e =
            CancelRequest::from_value(&json!({"orderNo": "12ab", "orgNo": "06010"})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cancel.orderNo"));
    }

    #[test]
    fn an_order_goes_to_the_exchange_it_names_krx_when_none_is_given() {
        let exchange = |v: Value| {
            let o = OrderRequest::from_value("order", &v)?;
            Ok::<_, KisError>(
                order_body(&acct(), &o)
                    .into_iter()
                    .find(|(k, _)| *k == "EXCG_ID_DVSN_CD")
                    .unwrap()
                    .1,
            )
        };
        let order = json!({"symbol": "005930", "quantity": 1, "price": 70000});
        assert_eq!(exchange(order.clone()).unwrap(), "KRX");
        let mut nxt = order.clone();
        nxt["exchange"] = json!("NXT");
        assert_eq!(exchange(nxt).unwrap(), "NXT");
        let mut bad = order;
        bad["exchange"] = json!("KOSDAQ");
        let e = exchange(bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.exchange"));
        let body = build_order_body(
            &json!({"account": "12345678", "symbol": "005930", "quantity": 1, "exchange": "SOR"}),
        );
        assert!(body
            .unwrap()
            .contains(&("EXCG_ID_DVSN_CD", "SOR".to_string())));
    }

    #[test]
    fn a_change_names_its_orders_exchange_krx_when_none_is_given() {
        let exchange = |v: Value| {
            let c = CancelRequest::from_value(&v).unwrap();
            cancel_body(&acct(), &c)
                .into_iter()
                .find(|(k, _)| *k == "EXCG_ID_DVSN_CD")
                .unwrap()
                .1
        };
        assert_eq!(exchange(json!({"orderNo": "1", "orgNo": "06010"})), "KRX");
        let sor = json!({"orderNo": "1", "orgNo": "06010", "exchange": "SOR"});
        assert_eq!(exchange(sor), "SOR");
        let m = CancelRequest::from_modify(
            &json!({"orderNo": "1", "orgNo": "06010", "price": 70000, "exchange": "NXT"}),
        )
        .unwrap();
        assert_eq!(m.exchange, "NXT");
        for (bad, field) in [
            (
                json!({"orderNo": "1", "orgNo": "06010", "exchange": "nxt"}),
                "cancel.exchange",
            ),
            (
                json!({"orderNo": "1", "orgNo": "06010", "exchange": null}),
                "cancel.exchange",
            ),
        ] {
            let e = CancelRequest::from_value(&bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        }
        let e = CancelRequest::from_modify(
            &json!({"orderNo": "1", "orgNo": "06010", "price": 1, "exchange": "ALL"}),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("modify.exchange"));
        assert!(
            e.message.contains("\"KRX\", \"NXT\" or \"SOR\""),
            "{}",
            e.message
        );
    }
}

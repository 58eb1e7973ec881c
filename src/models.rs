//! Result shapes handed to callers: camelCase, KIS numeric strings parsed to numbers (`null` where
//! KIS sent nothing), and `raw`, the KIS fields as received, for whatever we did not map.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::kst::{coloned_time, dashed_date};
use crate::numbers::{field_number, field_text};
pub use crate::row::Raw;
use crate::row::{Fields, Object, Row};

/// inquire-price (FHKST01010100).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub symbol: String,
    pub price: Option<f64>,
    pub change: Option<f64>,
    pub change_rate: Option<f64>,
    pub volume: Option<f64>,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub upper_limit: Option<f64>,
    pub lower_limit: Option<f64>,
    /// KIS's price step for the symbol at its current price (호가단위, `aspr_unit`): a limit
    /// price in the same price band must be a multiple of it. KRX's steps change from band to
    /// band and differ between stocks and ETFs, which only KIS tells apart.
    pub tick_size: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl Quote {
    pub fn from_output(symbol: &str, o: impl Fields) -> Quote {
        Quote {
            symbol: symbol.to_string(),
            price: field_number(&o, "stck_prpr"),
            change: field_number(&o, "prdy_vrss"),
            change_rate: field_number(&o, "prdy_ctrt"),
            volume: field_number(&o, "acml_vol"),
            open: field_number(&o, "stck_oprc"),
            high: field_number(&o, "stck_hgpr"),
            low: field_number(&o, "stck_lwpr"),
            upper_limit: field_number(&o, "stck_mxpr"),
            lower_limit: field_number(&o, "stck_llam"),
            tick_size: field_number(&o, "aspr_unit"),
            raw: o.into_raw(),
        }
    }
}

/// A row of inquire-daily-price (FHKST01010400); `date` is "YYYY-MM-DD".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct DailyBar {
    pub date: String,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub close: Option<f64>,
    pub volume: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl DailyBar {
    pub fn from_row(o: impl Fields) -> DailyBar {
        DailyBar {
            date: dashed_date(&field_text(&o, "stck_bsop_date")),
            open: field_number(&o, "stck_oprc"),
            high: field_number(&o, "stck_hgpr"),
            low: field_number(&o, "stck_lwpr"),
            close: field_number(&o, "stck_clpr"),
            volume: field_number(&o, "acml_vol"),
            raw: o.into_raw(),
        }
    }
}

/// A row of inquire-balance `output1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Holding {
    pub symbol: String,
    pub name: String,
    pub quantity: Option<f64>,
    pub orderable_quantity: Option<f64>,
    pub avg_price: Option<f64>,
    pub price: Option<f64>,
    pub eval_amount: Option<f64>,
    pub profit_loss: Option<f64>,
    pub profit_loss_rate: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl Holding {
    pub fn from_row(o: impl Fields) -> Holding {
        Holding {
            symbol: field_text(&o, "pdno"),
            name: field_text(&o, "prdt_name"),
            quantity: field_number(&o, "hldg_qty"),
            orderable_quantity: field_number(&o, "ord_psbl_qty"),
            avg_price: field_number(&o, "pchs_avg_pric"),
            price: field_number(&o, "prpr"),
            eval_amount: field_number(&o, "evlu_amt"),
            profit_loss: field_number(&o, "evlu_pfls_amt"),
            profit_loss_rate: field_number(&o, "evlu_pfls_rt"),
            raw: o.into_raw(),
        }
    }
}

/// inquire-balance `output2[0]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct BalanceSummary {
    pub cash: Option<f64>,
    pub stock_eval: Option<f64>,
    pub total_eval: Option<f64>,
    pub net_asset: Option<f64>,
    pub purchase_total: Option<f64>,
    pub profit_loss_total: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl BalanceSummary {
    pub fn from_row(o: impl Fields) -> BalanceSummary {
        BalanceSummary {
            cash: field_number(&o, "dnca_tot_amt"),
            stock_eval: field_number(&o, "scts_evlu_amt"),
            total_eval: field_number(&o, "tot_evlu_amt"),
            net_asset: field_number(&o, "nass_amt"),
            purchase_total: field_number(&o, "pchs_amt_smtl_amt"),
            profit_loss_total: field_number(&o, "evlu_pfls_smtl_amt"),
            raw: o.into_raw(),
        }
    }
}

/// `getBalance()`: every page's holdings and the account's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub holdings: Vec<Holding>,
    pub summary: BalanceSummary,
}

/// A row of inquire-time-itemchartprice `output2`: one minute; `date` "YYYY-MM-DD", `time`
/// "HH:MM:SS" (Korea time).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct MinuteBar {
    pub date: String,
    pub time: String,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub close: Option<f64>,
    /// Shares traded in the minute (cntg_vol).
    pub volume: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl MinuteBar {
    pub fn from_row(o: impl Fields) -> MinuteBar {
        MinuteBar {
            date: dashed_date(&field_text(&o, "stck_bsop_date")),
            time: coloned_time(&field_text(&o, "stck_cntg_hour")),
            open: field_number(&o, "stck_oprc"),
            high: field_number(&o, "stck_hgpr"),
            low: field_number(&o, "stck_lwpr"),
            close: field_number(&o, "stck_prpr"),
            volume: field_number(&o, "cntg_vol"),
            raw: o.into_raw(),
        }
    }
}

/// One price level of an orderbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Level {
    pub price: Option<f64>,
    /// Shares waiting at this price (잔량).
    pub quantity: Option<f64>,
    /// Change in that quantity since the last update (잔량증감).
    pub change: Option<f64>,
}

impl Level {
    /// The ten levels of one side of a KIS book (`askp1`…`askp10` with `askp_rsqn1`… and, where
    /// KIS sends them, `askp_rsqn_icdc1`…), the empty ones left out. The REST answer and the
    /// realtime H0STASP0 frame name them alike.
    pub fn side(book: &impl Fields, price: &str, qty: &str) -> Vec<Level> {
        (1..=10)
            .map(|i| Level {
                price: field_number(book, &format!("{price}{i}")),
                quantity: field_number(book, &format!("{qty}{i}")),
                change: field_number(book, &format!("{qty}_icdc{i}")),
            })
            .filter(|l| l.price.is_some_and(|p| p > 0.0))
            .collect()
    }
}

/// inquire-asking-price-exp-ccn (FHKST01010200): ten levels a side, best first; `time` is
/// "HH:MM:SS" (Korea time).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Orderbook {
    pub symbol: String,
    pub time: String,
    /// Sell orders, the lowest price first.
    pub asks: Vec<Level>,
    /// Buy orders, the highest price first.
    pub bids: Vec<Level>,
    pub total_ask_quantity: Option<f64>,
    pub total_bid_quantity: Option<f64>,
    /// The expected price and volume of the next auction (예상체결가), outside continuous trading.
    pub expected_price: Option<f64>,
    pub expected_volume: Option<f64>,
    /// `output1` and `output2` as KIS sent them.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl Orderbook {
    /// From the answer's `output1` (the book) and `output2` (the expected price).
    pub fn from_outputs<F: Fields>(symbol: &str, book: F, expected: Option<F>) -> Orderbook {
        let expected_number = |key| expected.as_ref().and_then(|e| field_number(e, key));
        Orderbook {
            symbol: symbol.to_string(),
            time: coloned_time(&field_text(&book, "aspr_acpt_hour")),
            asks: Level::side(&book, "askp", "askp_rsqn"),
            bids: Level::side(&book, "bidp", "bidp_rsqn"),
            total_ask_quantity: field_number(&book, "total_askp_rsqn"),
            total_bid_quantity: field_number(&book, "total_bidp_rsqn"),
            expected_price: expected_number("antc_cnpr").filter(|p| *p > 0.0),
            expected_volume: expected_number("antc_vol"),
            raw: match expected {
                Some(e) => book.into_raw().merged(e.into_raw()),
                None => book.into_raw(),
            },
        }
    }
}

/// order-cash / order-rvsecncl `output`; `time` is "HH:MM:SS" (Korea time).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct OrderAck {
    pub order_no: String,
    pub org_no: String,
    pub time: String,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

/// KIS answers order-cash with upper-case keys and order-rvsecncl's doc shows lower-case ones.
pub(crate) fn either_case(o: &impl Fields, upper: &str) -> String {
    let s = field_text(o, upper);
    if s.is_empty() {
        field_text(o, &upper.to_ascii_lowercase())
    } else {
        s
    }
}

impl OrderAck {
    /// The ack in a whole order answer `body`: its `output`, or its first row where KIS answers
    /// with rows (domestic futures), whose field `order_no` numbers the order (KIS's usual
    /// `ODNO`; a domestic reserved order's `rsvn_ord_seq`).
    pub fn from_answer(body: &Object, order_no: &str) -> OrderAck {
        let output = body.get("output");
        let first = output
            .filter(|v| v.get().starts_with('['))
            .and_then(|v| serde_json::from_str::<Vec<&RawValue>>(v.get()).ok())
            .and_then(|rows| rows.first().copied());
        first
            .or(output)
            .and_then(Row::read)
            .map_or_else(OrderAck::default, |o| OrderAck::numbered_by(o, order_no))
    }

    pub fn from_output(o: impl Fields) -> OrderAck {
        OrderAck::numbered_by(o, "ODNO")
    }

    fn numbered_by(o: impl Fields, order_no: &str) -> OrderAck {
        OrderAck {
            order_no: either_case(&o, &order_no.to_ascii_uppercase()),
            org_no: either_case(&o, "KRX_FWDG_ORD_ORGNO"),
            time: coloned_time(&either_case(&o, "ORD_TMD")),
            raw: o.into_raw(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum OrderSide {
    Buy,
    Sell,
}

impl OrderSide {
    /// KIS's 매도매수구분 code, in every TR that has one: "01" sell, "02" buy. Any other (none,
    /// or one KIS does not document) is no side: a guess would show a sell as a buy.
    pub fn from_kis(code: &str) -> Option<OrderSide> {
        match code {
            "01" => Some(OrderSide::Sell),
            "02" => Some(OrderSide::Buy),
            _ => None,
        }
    }
}

/// A row of inquire-daily-ccld `output1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub date: String,
    pub time: String,
    pub order_no: String,
    pub org_no: String,
    /// KIS's `sll_buy_dvsn_cd` ("01" sell, "02" buy); null for any other code, which stays in
    /// `raw`.
    pub side: Option<OrderSide>,
    pub symbol: String,
    pub name: String,
    pub quantity: Option<f64>,
    pub price: Option<f64>,
    pub filled_quantity: Option<f64>,
    /// The average price of the shares filled so far (평균가, `avg_prvs`); null while none has
    /// filled, where KIS says 0.
    pub average_price: Option<f64>,
    pub remaining_quantity: Option<f64>,
    /// The shares the exchange refused after KIS took the order (거부수량, `rjct_qty`): an
    /// order over with none filled was refused when this is above 0, and expired when not.
    pub rejected_quantity: Option<f64>,
    pub cancelled: bool,
    /// A correction's or cancel's row names the order it changes (`orgn_odno`); a new
    /// order's is empty or zeros, and null here.
    pub original_order_no: Option<String>,
    /// The exchange it went to ("KRX", "NXT", "SOR"; KIS's `excg_id_dvsn_Cd`), which a cancel
    /// or modification of it must name (`cancel({ exchange })`); null where KIS gives none
    /// (or one of none of these, which stays in `raw`).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"KRX\" | \"NXT\" | \"SOR\" | null")
    )]
    pub exchange: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

/// The order a daily-orders row changes (`orgn_odno`), if it is a correction's or a cancel's;
/// a new order's is empty or zeros.
pub fn original_order_no(row: &impl Fields) -> Option<String> {
    order_no_given(field_text(row, "orgn_odno"))
}

/// An order number KIS may leave empty or all zeros (the original of a new order), as absent.
pub fn order_no_given(n: String) -> Option<String> {
    n.bytes().any(|b| b != b'0').then_some(n)
}

impl Order {
    pub fn from_row(o: impl Fields) -> Order {
        Order {
            date: dashed_date(&field_text(&o, "ord_dt")),
            time: coloned_time(&field_text(&o, "ord_tmd")),
            order_no: field_text(&o, "odno"),
            org_no: field_text(&o, "ord_gno_brno"),
            side: OrderSide::from_kis(&field_text(&o, "sll_buy_dvsn_cd")),
            symbol: field_text(&o, "pdno"),
            name: field_text(&o, "prdt_name"),
            quantity: field_number(&o, "ord_qty"),
            price: field_number(&o, "ord_unpr"),
            filled_quantity: field_number(&o, "tot_ccld_qty"),
            average_price: field_number(&o, "avg_prvs")
                .filter(|_| field_number(&o, "tot_ccld_qty").is_some_and(|filled| filled > 0.0)),
            remaining_quantity: field_number(&o, "rmn_qty"),
            rejected_quantity: field_number(&o, "rjct_qty"),
            cancelled: field_text(&o, "cncl_yn") == "Y",
            original_order_no: original_order_no(&o),
            // KIS spells it with a capital C in this list alone.
            exchange: ["excg_id_dvsn_Cd", "excg_id_dvsn_cd"]
                .into_iter()
                .map(|k| field_text(&o, k))
                .find(|e| crate::order::EXCHANGES.contains(&e.as_str())),
            raw: o.into_raw(),
        }
    }
}

/// inquire-psbl-order `output`: what can be bought without credit (nrcvb_*).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct BuyingPower {
    pub cash: Option<f64>,
    pub max_quantity: Option<f64>,
    pub max_amount: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl BuyingPower {
    pub fn from_output(o: impl Fields) -> BuyingPower {
        BuyingPower {
            cash: field_number(&o, "ord_psbl_cash"),
            max_quantity: field_number(&o, "nrcvb_buy_qty"),
            max_amount: field_number(&o, "nrcvb_buy_amt"),
            raw: o.into_raw(),
        }
    }
}

/// What `kis.token` shows: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub expires_at: f64,
    pub is_expired: bool,
    pub is_expiring_soon: bool,
}

/// A token as kept in a `TokenStore`; times in epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoredToken {
    pub access_token: String,
    pub expires_at: f64,
    pub issued_at: f64,
}

impl StoredToken {
    /// What a JS store returned, read so that a bad store names the bad field.
    pub fn from_value(v: &Value) -> crate::error::Result<StoredToken> {
        crate::input::read("tokenStore.get()", v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn b8_quote_fields_parsed_and_raw_kept() {
        let o = json!({"stck_prpr":"128500","prdy_vrss":"-500","prdy_ctrt":"+1.26","acml_vol":"2669075",
                       "stck_oprc":"","stck_mxpr":"167000","stck_llam":"90000","aspr_unit":"100"});
        let q = Quote::from_output("000660", o);
        assert_eq!(q.tick_size, Some(100.0));
        assert_eq!(q.price, Some(128500.0));
        assert_eq!(q.change, Some(-500.0));
        assert_eq!(q.change_rate, Some(1.26));
        assert_eq!(q.open, None);
        assert_eq!(q.upper_limit, Some(167000.0));
        assert_eq!(q.raw.get("prdy_ctrt").as_deref(), Some("+1.26"));
    }

    #[test]
    fn results_are_written_as_camel_case_json() {
        let o = json!({"stck_prpr": "128500", "prdy_ctrt": "-1.26"});
        let text = serde_json::to_string(&Quote::from_output("000660", o)).unwrap();
        assert!(
            text.starts_with(
                r#"{"symbol":"000660","price":128500.0,"change":null,"changeRate":-1.26,"#
            ),
            "{text}"
        );
        // `raw` is KIS's object in KIS's order.
        assert!(
            text.ends_with(r#""raw":{"stck_prpr":"128500","prdy_ctrt":"-1.26"}}"#),
            "{text}"
        );
        // A field that is not a string is made one.
        let o = json!({"stck_prpr": 128500, "x": {"y": [1]}});
        let text = serde_json::to_string(&Quote::from_output("000660", o)).unwrap();
        assert!(
            text.ends_with(r#""raw":{"stck_prpr":"128500","x":"{\"y\":[1]}"}}"#),
            "{text}"
        );
    }

    #[test]
    fn order_ack_reads_either_case() {
        let a = OrderAck::from_output(
            json!({"KRX_FWDG_ORD_ORGNO":"06010","ODNO":"0001569157","ORD_TMD":"155211"}),
        );
        assert_eq!(
            (a.order_no.as_str(), a.org_no.as_str(), a.time.as_str()),
            ("0001569157", "06010", "15:52:11")
        );
        let a = OrderAck::from_output(
            json!({"krx_fwdg_ord_orgno":"06010","odno":"1","ord_tmd":"090000"}),
        );
        assert_eq!(a.order_no, "1");
    }

    #[test]
    fn an_order_row_names_the_order_it_changes_and_a_new_order_none() {
        let row = |orgn: &str| json!({"odno": "0000000007", "orgn_odno": orgn, "cncl_yn": "Y"});
        let cancel = Order::from_row(row("0000000005"));
        assert_eq!(cancel.original_order_no.as_deref(), Some("0000000005"));
        assert!(cancel.cancelled);
        for new in ["", "0000000000"] {
            assert_eq!(Order::from_row(row(new)).original_order_no, None, "{new:?}");
        }
        let out = serde_json::to_string(&cancel).unwrap();
        assert!(out.contains(r#""originalOrderNo":"0000000005""#), "{out}");
    }

    #[test]
    fn an_orders_refused_shares_are_its_rjct_qty() {
        let order = |rjct: &str| Order::from_row(json!({ "rjct_qty": rjct, "rmn_qty": "0" }));
        assert_eq!(order("2").rejected_quantity, Some(2.0));
        assert_eq!(order("0").rejected_quantity, Some(0.0));
        assert_eq!(order("").rejected_quantity, None);
        let out = serde_json::to_string(&order("3")).unwrap();
        assert!(out.contains(r#""rejectedQuantity":3.0"#), "{out}");
    }

    #[test]
    fn an_orders_side_is_kis_code_and_none_is_guessed() {
        let side = |code: &str| Order::from_row(json!({ "sll_buy_dvsn_cd": code })).side;
        assert_eq!(side("01"), Some(OrderSide::Sell));
        assert_eq!(side("02"), Some(OrderSide::Buy));
        assert_eq!(side(" 02 "), Some(OrderSide::Buy));
        // Any other code (none, or "00", which is 전체 in the queries) had read as a buy.
        for unknown in ["", "00", "03", "2"] {
            assert_eq!(side(unknown), None, "{unknown:?}");
        }
        let out = serde_json::to_string(&Order::from_row(json!({ "sll_buy_dvsn_cd": "9" })));
        assert!(out.unwrap().contains(r#""side":null"#));
    }

    #[test]
    fn an_orders_average_price_is_its_fills_and_null_before_any() {
        let row = |filled: &str, avg: &str| json!({"tot_ccld_qty": filled, "avg_prvs": avg});
        assert_eq!(
            Order::from_row(row("7", "70150.5")).average_price,
            Some(70150.5)
        );
        // KIS says 0 for an order nothing of which has filled: no price of its own.
        assert_eq!(Order::from_row(row("0", "0")).average_price, None);
        assert_eq!(Order::from_row(row("", "0")).average_price, None);
        assert_eq!(Order::from_row(row("3", "")).average_price, None);
    }
}

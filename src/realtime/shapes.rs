//! The curated shapes of the three realtime TRs a dashboard lives on, shaped like the REST
//! results (camelCase, numbers parsed, `raw` kept): trades (H0STCNT0), the orderbook
//! (H0STASP0, the same `Orderbook` as `getOrderbook`) and the account's fill notices
//! (H0STCNI0 / H0STCNI9). Every other TR reaches its subscriber as the catalogue's record.

use serde::Serialize;

use crate::kst::coloned_time;
use crate::models::{order_no_given, Level, OrderSide, Orderbook, Raw};
use crate::numbers::{field_number, field_text};
use crate::realtime::columns::Record;
use crate::row::Fields;

/// Which shape a subscriber asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The record by the TR's catalogue columns, as sent.
    Record,
    Trade,
    Orderbook,
    Fill,
}

impl Shape {
    /// A record in this shape.
    pub fn apply(self, r: &Record) -> Shaped {
        match self {
            Shape::Record => Shaped::Record(r.into_raw()),
            Shape::Trade => Shaped::Trade(Trade::from_record(r)),
            Shape::Orderbook => Shaped::Orderbook(book_from_record(r)),
            Shape::Fill => Shaped::Fill(FillNotice::from_record(r)),
        }
    }
}

/// A record in the shape its subscriber asked for; written out as that shape alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Shaped {
    Record(Raw),
    Trade(Trade),
    Orderbook(Orderbook),
    Fill(FillNotice),
}

/// One trade of H0STCNT0 (실시간체결가); `time` is "HH:MM:SS" (Korea time).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Trade {
    pub symbol: String,
    pub time: String,
    pub price: Option<f64>,
    /// Against yesterday's close, signed.
    pub change: Option<f64>,
    pub change_rate: Option<f64>,
    /// This trade's shares (체결 거래량).
    pub volume: Option<f64>,
    /// The day's shares so far (누적 거래량).
    pub total_volume: Option<f64>,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    /// The best ask and bid when it traded.
    pub ask: Option<f64>,
    pub bid: Option<f64>,
    /// Which side took the other's price (체결구분 1 buy, 5 sell); null before the open.
    pub side: Option<OrderSide>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl Trade {
    pub fn from_record(r: &Record) -> Trade {
        Trade {
            symbol: field_text(&r, "mksc_shrn_iscd"),
            time: coloned_time(&field_text(&r, "stck_cntg_hour")),
            price: field_number(&r, "stck_prpr"),
            change: field_number(&r, "prdy_vrss"),
            change_rate: field_number(&r, "prdy_ctrt"),
            volume: field_number(&r, "cntg_vol"),
            total_volume: field_number(&r, "acml_vol"),
            open: field_number(&r, "stck_oprc"),
            high: field_number(&r, "stck_hgpr"),
            low: field_number(&r, "stck_lwpr"),
            ask: field_number(&r, "askp1"),
            bid: field_number(&r, "bidp1"),
            side: match field_text(&r, "ccld_dvsn").as_str() {
                "1" => Some(OrderSide::Buy),
                "5" => Some(OrderSide::Sell),
                _ => None,
            },
            raw: r.into_raw(),
        }
    }
}

/// H0STASP0 (실시간호가) as the `Orderbook` `getOrderbook` returns. The frame carries no
/// per-level change, so each level's `change` is null.
pub fn book_from_record(r: &Record) -> Orderbook {
    Orderbook {
        symbol: field_text(&r, "mksc_shrn_iscd"),
        time: coloned_time(&field_text(&r, "bsop_hour")),
        asks: Level::side(&r, "askp", "askp_rsqn"),
        bids: Level::side(&r, "bidp", "bidp_rsqn"),
        total_ask_quantity: field_number(&r, "total_askp_rsqn"),
        total_bid_quantity: field_number(&r, "total_bidp_rsqn"),
        expected_price: field_number(&r, "antc_cnpr").filter(|p| *p > 0.0),
        expected_volume: field_number(&r, "antc_vol"),
        raw: r.into_raw(),
    }
}

/// What a fill notice tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum FillKind {
    /// Shares traded (체결).
    Fill,
    /// An order taken by the exchange (접수).
    Accepted,
    /// A correction (정정) taken.
    Modified,
    /// A cancel (취소) taken, or what an IOC or FOK order left unfilled cancelled by the
    /// exchange (접수여부 3).
    Cancelled,
    /// Refused (거부).
    Rejected,
}

/// One notice of H0STCNI0 / H0STCNI9 (실시간체결통보) about the account's own orders; `time` is
/// "HH:MM:SS" (Korea time).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct FillNotice {
    pub kind: FillKind,
    pub order_no: String,
    /// The order a correction or cancel changes; null for a new order.
    pub original_order_no: Option<String>,
    /// The order's branch (지점번호), as `cancel` and `modify` take it in `orgNo`.
    pub org_no: String,
    /// KIS's 매도매수구분 (`seln_byov_cls`, "01" sell, "02" buy); null for any other code.
    pub side: Option<OrderSide>,
    pub symbol: String,
    pub name: String,
    /// For a fill, the shares and price that traded; otherwise as KIS sends them.
    pub quantity: Option<f64>,
    pub price: Option<f64>,
    pub order_quantity: Option<f64>,
    pub order_price: Option<f64>,
    pub time: String,
    /// The exchange the order was sent to, as `cancel` and `modify` take it in `exchange`:
    /// KIS's 주문거래소 구분 1 KRX, 2 NXT, 3 and 4 SOR (routed to KRX or NXT); null for another.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"KRX\" | \"NXT\" | \"SOR\" | null")
    )]
    pub exchange: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    pub raw: Raw,
}

impl FillNotice {
    pub fn from_record(r: &Record) -> FillNotice {
        let text = |k: &str| field_text(&r, k);
        let kind = if text("rfus_yn") == "1" {
            FillKind::Rejected
        } else if text("cntg_yn") == "2" {
            FillKind::Fill
        } else if text("acpt_yn") == "3" {
            // 접수여부 3, 취소(FOK/IOC): the exchange cancelled what an IOC or FOK order left
            // unfilled. Its 정정구분 is that of the order (0, a new one), so read alone it would
            // say the order was taken and is open.
            FillKind::Cancelled
        } else {
            match text("rctf_cls").as_str() {
                "1" => FillKind::Modified,
                "2" => FillKind::Cancelled,
                _ => FillKind::Accepted,
            }
        };
        FillNotice {
            kind,
            order_no: text("oder_no"),
            original_order_no: order_no_given(text("ooder_no")),
            org_no: text("brnc_no"),
            side: OrderSide::from_kis(&text("seln_byov_cls")),
            symbol: text("stck_shrn_iscd"),
            name: text("cntg_isnm40"),
            quantity: field_number(&r, "cntg_qty"),
            price: field_number(&r, "cntg_unpr"),
            order_quantity: field_number(&r, "oder_qty"),
            order_price: field_number(&r, "oder_prc"),
            time: coloned_time(&text("stck_cntg_hour")),
            exchange: match text("ord_exg_gb").as_str() {
                "1" => Some("KRX"),
                "2" => Some("NXT"),
                "3" | "4" => Some("SOR"),
                _ => None,
            }
            .map(str::to_string),
            raw: r.into_raw(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::columns::columns;
    use crate::realtime::frame::records;
    use serde_json::Value;

    fn json(s: Shaped) -> Value {
        serde_json::to_value(s).unwrap()
    }

    fn first<'a>(tr: &str, payload: &'a str) -> Record<'a> {
        Record::new(columns(tr).unwrap(), records(payload, 1).swap_remove(0))
    }

    #[test]
    fn a_trade_is_read_from_kis_columns_by_name() {
        let mut fields = vec!["0"; 46];
        fields[..14].copy_from_slice(&[
            "005930", "093015", "71100", "2", "+600", "0.85", "71050", "70500", "71200", "70400",
            "71200", "71100", "12", "1034",
        ]);
        fields[21] = "5";
        let t = json(Shape::Trade.apply(&first("H0STCNT0", &fields.join("^"))));
        assert_eq!(t["symbol"], "005930");
        assert_eq!(t["time"], "09:30:15");
        assert_eq!(t["price"], 71100.0);
        assert_eq!(t["change"], 600.0);
        assert_eq!(t["volume"], 12.0);
        assert_eq!(t["totalVolume"], 1034.0);
        assert_eq!(t["ask"], 71200.0);
        assert_eq!(t["bid"], 71100.0);
        assert_eq!(t["side"], "sell");
        assert_eq!(t["raw"]["stck_prpr"], "71100");
    }

    #[test]
    fn a_realtime_orderbook_has_the_rest_shape_best_first() {
        let mut fields = vec!["005930".to_string(), "093015".into(), "0".into()];
        fields.extend((1..=10).map(|i| (71000 + 100 * i).to_string()));
        fields.extend((0..10).map(|i| (71000 - 100 * i).to_string()));
        fields.extend((0..20).map(|i| (100 + i).to_string()));
        fields.extend(["2000".into(), "3000".into()]);
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let b = json(Shape::Orderbook.apply(&first("H0STASP0", &fields.join("^"))));
        assert_eq!(b["time"], "09:30:15");
        assert_eq!(b["asks"].as_array().unwrap().len(), 10);
        assert_eq!(b["asks"][0]["price"], 71100.0);
        assert_eq!(b["bids"][0]["price"], 71000.0);
        assert_eq!(b["bids"][0]["quantity"], 110.0);
        assert_eq!(b["asks"][0]["change"], Value::Null);
        assert_eq!(b["totalAskQuantity"], 2000.0);
        // Before KIS's columns for the expected price arrive, none is made up.
        assert_eq!(b["expectedPrice"], Value::Null);
    }

    #[test]
    fn fill_notices_say_what_happened() {
        let notice_with =
            |side: &str, cntg: &str, rctf: &str, rfus: &str, acpt: &str, exchange: &str| {
                let f = [
                    "hts01",
                    "1234567801",
                    "0000012345",
                    "0000000000",
                    side,
                    rctf,
                    "00",
                    "0",
                    "005930",
                    "3",
                    "71000",
                    "093015",
                    rfus,
                    cntg,
                    acpt,
                    "91252",
                    "5",
                    "",
                    "",
                    exchange,
                    "N",
                    "",
                    "",
                    "",
                    "삼성전자",
                    "71000",
                ];
                FillNotice::from_record(&first("H0STCNI0", &f.join("^")))
            };
        let notice_of = |cntg: &str, rctf: &str, rfus: &str, acpt: &str, exchange: &str| {
            notice_with("02", cntg, rctf, rfus, acpt, exchange)
        };
        let notice = |cntg: &str, rctf: &str, rfus: &str| notice_of(cntg, rctf, rfus, "2", "1");
        let fill = notice("2", "0", "0");
        assert_eq!(fill.kind, FillKind::Fill);
        assert_eq!(fill.order_no, "0000012345");
        assert_eq!(fill.original_order_no, None);
        assert_eq!(fill.org_no, "91252");
        assert_eq!(fill.side, Some(OrderSide::Buy));
        assert_eq!((fill.quantity, fill.price), (Some(3.0), Some(71000.0)));
        assert_eq!(fill.order_quantity, Some(5.0));
        assert_eq!(fill.name, "삼성전자");
        assert_eq!(fill.time, "09:30:15");
        assert_eq!(fill.exchange.as_deref(), Some("KRX"));
        assert_eq!(notice("1", "0", "0").kind, FillKind::Accepted);
        assert_eq!(notice("1", "1", "0").kind, FillKind::Modified);
        assert_eq!(notice("1", "2", "0").kind, FillKind::Cancelled);
        assert_eq!(notice("2", "0", "1").kind, FillKind::Rejected);
        // 주문거래소 구분 (the 20th column): what a cancel of the order must name.
        let on = |exchange: &str| notice_of("1", "0", "0", "1", exchange).exchange;
        assert_eq!(on("2").as_deref(), Some("NXT"));
        assert_eq!(on("3").as_deref(), Some("SOR"));
        assert_eq!(on("4").as_deref(), Some("SOR"));
        assert_eq!(on(""), None);
        // An IOC or FOK order's unfilled part, cancelled by the exchange: its 정정구분 is the
        // new order's 0, and only 접수여부 3 says it is no longer open.
        assert_eq!(notice_of("1", "0", "0", "3", "1").kind, FillKind::Cancelled);
        assert_eq!(notice_of("1", "0", "0", "1", "1").kind, FillKind::Accepted);
        // What it filled first is still a fill.
        assert_eq!(notice_of("2", "0", "0", "3", "1").kind, FillKind::Fill);
        // 매도매수구분: a code KIS does not document is no side, rather than a buy.
        let side = |code: &str| notice_with(code, "2", "0", "0", "1", "1").side;
        assert_eq!(side("01"), Some(OrderSide::Sell));
        for unknown in ["", "00", "03", "1"] {
            assert_eq!(side(unknown), None, "{unknown:?}");
        }
    }
}

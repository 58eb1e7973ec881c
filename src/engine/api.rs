//! The typed operations of `KisClient`. Arguments arrive as JSON values so that every check,
//! including "a number where a string belongs", happens here with the field named (B6).

use serde_json::value::RawValue;
use serde_json::Value;

use crate::engine::call::{Call, CallKind, RawReply};
use crate::engine::core::KisCore;
use crate::engine::orders::ORDERS_PATH;
use crate::engine::sending::Terms;
use crate::engine::transport::{Clock, Method, TokenStore, Transport};
use crate::error::{ErrorKind, KisError, Result};
use crate::input::{read, whole_number};
use crate::inputs::{
    BuyingPowerInput, DailyPriceOptions, MinuteBarsOptions, OrdersQuery, RequestSpec,
};
use crate::kst::{add_days, dashed_date, is_valid_date, kst_date, kst_time, months_before};
use crate::models::{
    Balance, BalanceSummary, BuyingPower, DailyBar, Holding, MinuteBar, Order, OrderAck, Orderbook,
    Quote,
};
use crate::order::{CancelRequest, OrderRequest, Side};
use crate::query::{
    balance_query, buying_power_query, daily_price_query, orders_query, price_query, OrdersFilter,
    Query,
};
use crate::row::{kind_of, Object, Row};
use crate::symbol::validate_symbol;
use crate::tr_id::{tr_id_for, Op};

pub const PRICE_PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";
pub const DAILY_PRICE_PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-daily-price";
pub const BALANCE_PATH: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";
pub const BUYING_POWER_PATH: &str = "/uapi/domestic-stock/v1/trading/inquire-psbl-order";

fn symbol_arg(field: &str, v: &Value) -> Result<String> {
    let s = read::<String>(field, v)?;
    validate_symbol(field, &s)?;
    Ok(s)
}

fn shape_error(path: &str, what: String) -> KisError {
    KisError::new(ErrorKind::Decode, format!("KIS {path} answer {what}")).with_request(path, "")
}

/// `v` as a row as KIS sends it, an object of strings (a number or null is read leniently).
/// Anything else is not KIS's answer, and mapped as it stands it would be a quote of nulls.
fn flat_row<'a>(v: &'a RawValue, path: &str, key: &str) -> Result<Row<'a>> {
    let Some(row) = Row::read(v) else {
        let kind = kind_of(v);
        return Err(shape_error(
            path,
            format!("has {kind} as `{key}`, where KIS sends an object"),
        ));
    };
    if let Some((name, kind)) = row.nested() {
        return Err(shape_error(
            path,
            format!("has {kind} as `{key}.{name}`, where KIS sends a string"),
        ));
    }
    Ok(row)
}

/// The answer's `key` object.
fn output<'a>(body: &Object<'a>, key: &str, path: &str) -> Result<Row<'a>> {
    match body.get(key).filter(|v| v.get() != "null") {
        None => Err(shape_error(path, format!("has no `{key}`"))),
        Some(v) => flat_row(v, path, key),
    }
}

/// The answer's `key` rows (KIS sends a lone object for a single row, and an empty string or
/// nothing for none).
fn rows<'a>(body: &Object<'a>, key: &str, path: &str) -> Result<Vec<Row<'a>>> {
    let Some(v) = body.get(key) else {
        return Ok(Vec::new());
    };
    match v.get().as_bytes().first() {
        Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(v.get())
            .unwrap_or_default()
            .into_iter()
            .map(|r| flat_row(r, path, key))
            .collect(),
        Some(b'{') => Ok(vec![flat_row(v, path, key)?]),
        _ if matches!(v.get(), "null" | "\"\"") => Ok(Vec::new()),
        _ => Err(shape_error(
            path,
            format!("has {} as `{key}`, where KIS sends rows", kind_of(v)),
        )),
    }
}

/// `request()`'s path: `/uapi/` and segments of KIS's own characters (letters, digits, `-`,
/// `_`). No `.` (fetch resolves `..`, and `%2e%2e` after decoding), no `%`, no query, and no
/// line break (it would end the request line and start a header of the caller's text).
fn uapi_path(path: &str) -> Result<&str> {
    let segments = path.strip_prefix("/uapi/").map(|rest| rest.split('/'));
    let fine = segments.is_some_and(|mut s| {
        s.all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    });
    if fine {
        Ok(path)
    } else {
        Err(KisError::validation(
            "request.path",
            format!(
                "must be a KIS path, \"/uapi/\" and segments of letters, digits, '-' and '_' \
                 (no query, '%', '.' or spaces), got {path:?}"
            ),
        ))
    }
}

/// A trading day's 390 minutes are 13 pages of 30; one more for the opening auction.
const MAX_MINUTE_PAGES: f64 = 14.0;

fn bars_has(bars: &[MinuteBar], b: &MinuteBar) -> bool {
    bars.iter().any(|x| x.date == b.date && x.time == b.time)
}

/// "HH:MM", "HH:MM:SS" or "HHMMSS" → "HHMMSS", a time of day.
fn clock_arg(field: &str, s: &str) -> Result<String> {
    let digits: String = s.chars().filter(|c| *c != ':').collect();
    let digits = if digits.len() == 4 {
        format!("{digits}00")
    } else {
        digits
    };
    let valid = digits.len() == 6
        && digits.bytes().all(|b| b.is_ascii_digit())
        && &digits[..2] < "24"
        && &digits[2..4] < "60"
        && &digits[4..] < "60";
    if valid {
        Ok(digits)
    } else {
        Err(KisError::validation(
            field,
            format!("must be a time as \"HH:MM\" or \"HH:MM:SS\", got {s:?}"),
        ))
    }
}

/// The minute before "HHMMSS", at its first second; None before midnight.
fn minute_before(hhmmss: &str) -> Option<String> {
    let h: u32 = hhmmss.get(..2)?.parse().ok()?;
    let m: u32 = hhmmss.get(2..4)?.parse().ok()?;
    let total = (h * 60 + m).checked_sub(1)?;
    Some(format!("{:02}{:02}00", total / 60, total % 60))
}

/// "YYYY-MM-DD" or "YYYYMMDD" → "YYYYMMDD".
fn date_arg(field: &str, s: &str) -> Result<String> {
    let compact: String = if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        s.replace('-', "")
    } else {
        s.to_string()
    };
    if is_valid_date(&compact) {
        Ok(compact)
    } else {
        Err(KisError::validation(
            field,
            format!("must be a date as \"YYYY-MM-DD\" or \"YYYYMMDD\", got {s:?}"),
        ))
    }
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    fn read(&self, path: &str, op: Op, query: Query) -> Call {
        Call {
            method: Method::Get,
            path: path.to_string(),
            tr_id: tr_id_for(op, self.cfg.env, self.cfg.tr_ids).to_string(),
            query,
            body: None,
            tr_cont: String::new(),
            kind: CallKind::Read,
            keep_text: false,
            ahead: false,
        }
    }

    /// FHKST01010100.
    pub async fn get_price(&self, symbol: &Value) -> Result<Quote> {
        let symbol = symbol_arg("symbol", symbol)?;
        let call = self.read(PRICE_PATH, Op::Price, price_query(&symbol));
        let reply = self.call_plain(&call).await?;
        Ok(Quote::from_output(
            &symbol,
            output(&reply.object(), "output", PRICE_PATH)?,
        ))
    }

    /// FHKST03010200: today's minute bars, oldest first; each page goes 30 minutes further
    /// back (KIS's page), to the opening at 09:00.
    pub async fn get_minute_bars(&self, symbol: &Value, options: &Value) -> Result<Vec<MinuteBar>> {
        let symbol = symbol_arg("symbol", symbol)?;
        let o = read::<Option<MinuteBarsOptions>>("options", options)?.unwrap_or_default();
        let pages = match o.pages {
            Some(n) => whole_number("options.pages", n, 1.0, MAX_MINUTE_PAGES)?,
            None => 1,
        };
        let mut until = match o.until.as_deref() {
            Some(t) => clock_arg("options.until", t)?,
            // Outside the session, the last session's close: KIS then answers with that day's.
            None => match kst_time(self.clock.now_ms()) {
                t if t.as_str() < "090000" || t.as_str() > "153000" => "153000".to_string(),
                t => t,
            },
        };
        let mut bars: Vec<MinuteBar> = Vec::new();
        for _ in 0..pages {
            let call = self.catalogued(
                "domesticStockInquireTimeItemchartprice",
                &[
                    ("FID_COND_MRKT_DIV_CODE", "J"),
                    ("FID_INPUT_ISCD", &symbol),
                    ("FID_INPUT_HOUR_1", &until),
                    ("FID_PW_DATA_INCU_YN", "Y"),
                    ("FID_ETC_CLS_CODE", ""),
                ],
            )?;
            let reply = self.call_plain(&call).await?;
            let page: Vec<MinuteBar> = rows(&reply.object(), "output2", &call.path)?
                .into_iter()
                .map(MinuteBar::from_row)
                .filter(|b| !b.time.is_empty())
                .collect();
            // KIS sends the newest first; the next page ends a minute before this one's first.
            let Some(earliest) = page.iter().map(|b| b.time.replace(':', "")).min() else {
                break;
            };
            for bar in page {
                if !bars_has(&bars, &bar) {
                    bars.push(bar);
                }
            }
            match minute_before(&earliest) {
                Some(t) if t.as_str() >= "090000" && t < until => until = t,
                _ => break,
            }
        }
        bars.sort_unstable_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
        Ok(bars)
    }

    /// FHKST01010200: ten levels a side, best first, and the expected auction price.
    pub async fn get_orderbook(&self, symbol: &Value) -> Result<Orderbook> {
        let symbol = symbol_arg("symbol", symbol)?;
        let call = self.catalogued(
            "domesticStockInquireAskingPriceExpCcn",
            &[("FID_COND_MRKT_DIV_CODE", "J"), ("FID_INPUT_ISCD", &symbol)],
        )?;
        let reply = self.call_plain(&call).await?;
        let body = reply.object();
        let book = output(&body, "output1", &call.path)?;
        // The expected price is absent in continuous trading on some days: not an error.
        let expected = output(&body, "output2", &call.path).ok();
        Ok(Orderbook::from_outputs(&symbol, book, expected))
    }

    /// FHKST01010400; bars oldest first, as a chart wants them.
    pub async fn get_daily_prices(&self, symbol: &Value, options: &Value) -> Result<Vec<DailyBar>> {
        let symbol = symbol_arg("symbol", symbol)?;
        let o = read::<Option<DailyPriceOptions>>("options", options)?.unwrap_or_default();
        let period = o.period.as_deref().unwrap_or("D");
        if !matches!(period, "D" | "W" | "M") {
            return Err(KisError::validation(
                "options.period",
                format!("must be \"D\", \"W\" or \"M\", got {period:?}"),
            ));
        }
        let adjusted = o.adjusted.unwrap_or(true);
        let call = self.read(
            DAILY_PRICE_PATH,
            Op::DailyPrice,
            daily_price_query(&symbol, period, adjusted),
        );
        let reply = self.call_plain(&call).await?;
        // KIS sends newest first; a chart wants oldest first.
        let mut bars: Vec<DailyBar> = rows(&reply.object(), "output", DAILY_PRICE_PATH)?
            .into_iter()
            .map(DailyBar::from_row)
            .filter(|bar| !bar.date.is_empty())
            .collect();
        bars.sort_unstable_by(|a, b| a.date.cmp(&b.date));
        Ok(bars)
    }

    /// TTTC8434R / VTTC8434R, every page.
    pub async fn get_balance(&self) -> Result<Balance> {
        let account = self.cfg.require_account()?;
        let call = self.read(BALANCE_PATH, Op::Balance, balance_query(account));
        let pages = self.all_pages(call).await?;
        let mut holdings = Vec::new();
        let mut summary = None;
        for page in &pages {
            let page = page.object();
            // KIS lists a stock sold out today with 보유수량 0 until the day ends: no holding
            // (KIS's own backtester skips it too). One it cannot read stays, to be seen.
            let held = rows(&page, "output1", BALANCE_PATH)?
                .into_iter()
                .map(Holding::from_row)
                .filter(|h| h.quantity != Some(0.0));
            holdings.extend(held);
            if let Some(row) = rows(&page, "output2", BALANCE_PATH)?.into_iter().next() {
                summary = Some(BalanceSummary::from_row(row));
            }
        }
        let summary = summary.ok_or_else(|| {
            KisError::new(
                ErrorKind::Decode,
                "KIS balance answer has no summary (output2)",
            )
            .with_request(BALANCE_PATH, "")
        })?;
        Ok(Balance { holdings, summary })
    }

    /// TTTC8908R / VTTC8908R.
    pub async fn get_buying_power(&self, options: &Value) -> Result<BuyingPower> {
        let o = read::<BuyingPowerInput>("options", options)?;
        let symbol = o.symbol.as_str();
        validate_symbol("options.symbol", symbol)?;
        let price = o
            .price
            .map(|p| whole_number("options.price", p, 1.0, crate::input::MAX_SAFE))
            .transpose()?;
        let order_type = match o.order_type.as_deref() {
            Some(t) if t.len() == 2 && t.bytes().all(|c| c.is_ascii_digit()) => t.to_string(),
            Some(t) => {
                return Err(KisError::validation(
                    "options.orderType",
                    format!(
                        "is not a KRX order type (ORD_DVSN), got {t:?}: {}",
                        crate::order::ORDER_TYPE_HINT
                    ),
                ))
            }
            None if price.is_some() => "00".to_string(),
            None => "01".to_string(),
        };
        let account = self.cfg.require_account()?;
        let unit = price.map_or_else(|| "0".to_string(), |p| p.to_string());
        let q = buying_power_query(account, symbol, &unit, &order_type);
        let reply = self
            .call_plain(&self.read(BUYING_POWER_PATH, Op::BuyingPower, q))
            .await?;
        Ok(BuyingPower::from_output(output(
            &reply.object(),
            "output",
            BUYING_POWER_PATH,
        )?))
    }

    /// TTTC0081R / VTTC0081R, every page; dates default to today in Korea.
    pub async fn get_orders(&self, options: &Value) -> Result<Vec<Order>> {
        let o = read::<Option<OrdersQuery>>("options", options)?.unwrap_or_default();
        let today = kst_date(self.clock.now_ms());
        let from = o
            .from
            .as_deref()
            .map(|d| date_arg("options.from", d))
            .transpose()?;
        let given_to =
            o.to.as_deref()
                .map(|d| date_arg("options.to", d))
                .transpose()?;
        let to = given_to.clone().unwrap_or_else(|| today.clone());
        let from = from.unwrap_or_else(|| {
            if to < today {
                to.clone()
            } else {
                today.clone()
            }
        });
        if from > to {
            // A caller who gave no `to` should hear what it stood for.
            let message = match given_to {
                Some(_) => "must not be after options.to".to_string(),
                None => format!(
                    "must not be after today in Korea, {}, which options.to is when left out",
                    dashed_date(&today)
                ),
            };
            return Err(KisError::validation("options.from", message));
        }
        let symbol = o.symbol.as_deref().unwrap_or("");
        if !symbol.is_empty() {
            validate_symbol("options.symbol", symbol)?;
        }
        let account = self.cfg.require_account()?;
        // KIS serves the last three months with one TR and older days with another: a range
        // across the line is asked of both, newest first.
        let cutoff = months_before(&today, 3);
        let mut parts = Vec::new();
        if to >= cutoff {
            parts.push((Op::Orders, from.clone().max(cutoff.clone()), to.clone()));
        }
        if from < cutoff {
            parts.push((
                Op::OrdersHistory,
                from.clone(),
                to.clone().min(add_days(&cutoff, -1)),
            ));
        }
        let mut pages = Vec::new();
        for (op, from, to) in parts {
            let filter = OrdersFilter {
                from: &from,
                to: &to,
                symbol,
                side: "00",
                exchange: self.orders_exchange(),
            };
            pages.extend(
                self.all_pages(self.read(ORDERS_PATH, op, orders_query(account, &filter)))
                    .await?,
            );
        }
        let mut orders = Vec::new();
        for page in &pages {
            for row in rows(&page.object(), "output1", ORDERS_PATH)? {
                let order = Order::from_row(row);
                if !order.order_no.is_empty() {
                    orders.push(order);
                }
            }
        }
        Ok(orders)
    }

    pub async fn buy(&self, order: &Value) -> Result<OrderAck> {
        let order = OrderRequest::from_value("order", order)?;
        self.place_order(Side::Buy, &order).await
    }

    pub async fn sell(&self, order: &Value) -> Result<OrderAck> {
        let order = OrderRequest::from_value("order", order)?;
        self.place_order(Side::Sell, &order).await
    }

    pub async fn cancel(&self, cancel: &Value) -> Result<OrderAck> {
        let c = CancelRequest::from_value(cancel)?;
        self.cancel_order(&c).await
    }

    /// 정정: an open order to a new price (or type, or part of its quantity).
    pub async fn modify(&self, modify: &Value) -> Result<OrderAck> {
        let c = CancelRequest::from_modify(modify)?;
        self.cancel_order(&c).await
    }

    /// The escape hatch: any other TR under the same policies. POSTs are never resent after
    /// they may have reached KIS, since the client cannot know whether they are idempotent.
    pub async fn request(&self, spec: &Value) -> Result<RawReply> {
        let spec = read::<RequestSpec>("request", spec)?;
        let method = match spec.method.as_deref().unwrap_or("GET") {
            "GET" | "get" => Method::Get,
            "POST" | "post" => Method::Post,
            m => {
                return Err(KisError::validation(
                    "request.method",
                    format!("must be \"GET\" or \"POST\", got {m:?}"),
                ))
            }
        };
        let path = uapi_path(&spec.path)?;
        let tr_cont = spec.tr_cont.unwrap_or_default();
        if !matches!(tr_cont.as_str(), "" | "N" | "F" | "M") {
            return Err(KisError::validation(
                "request.trCont",
                format!("must be \"\" or \"N\" (next page), got {tr_cont:?}"),
            ));
        }
        let tr_id = spec.tr_id.as_str();
        if tr_id.is_empty() || tr_id.len() > 13 || !tr_id.bytes().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(KisError::validation(
                "request.trId",
                format!("is not a TR ID: \"{tr_id}\""),
            ));
        }
        self.check_request_tr(path, tr_id)?;
        let query = spec
            .query
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| match v {
                _ if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                    Err(KisError::validation(
                        "request.query",
                        format!(
                            "has a key that is not a KIS parameter name: \"{}\"",
                            k.escape_default()
                        ),
                    ))
                }
                Value::String(s) => Ok((k, s)),
                _ => Err(KisError::validation(
                    &format!("request.query.{k}"),
                    "must be a string (KIS takes strings only)",
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        let body = match spec.body {
            None | Some(Value::Null) => None,
            Some(b @ Value::Object(_)) => Some(b),
            Some(_) => return Err(KisError::validation("request.body", "must be an object")),
        };
        if method == Method::Get && body.is_some() {
            return Err(KisError::validation(
                "request.body",
                "is not allowed on a GET",
            ));
        }
        // A POST's body, `{}` when none is given. An order is looked up in its market's list
        // when its answer is lost, as call()'s is, its terms checked first; the lookup reads
        // this client's account's list, so an order of another account is only never resent.
        let body = (method == Method::Post)
            .then(|| body.unwrap_or_else(|| Value::Object(Default::default())));
        let terms = match &body {
            Some(body) => Terms::of_call(path, tr_id, body, "request.body")?
                .filter(|_| self.is_own_account(body, false)),
            None => None,
        };
        let call = Call {
            method,
            path: path.to_string(),
            tr_id: tr_id.to_string(),
            query,
            body: body.map(|b| b.to_string()),
            tr_cont,
            kind: match method {
                Method::Get => CallKind::Read,
                Method::Post => CallKind::Write,
            },
            keep_text: true,
            ahead: false,
        };
        self.send_looked_up(call, terms).await
    }
}

//! The typed operations of `KisClient`. Arguments arrive as JSON values so that every check,
//! including "a number where a string belongs", happens here with the field named (B6).

use crate::prelude::*;

use crate::json::{Obj, ToJson, Value};

use crate::engine::call::{Call, CallKind};
use crate::engine::core::KisCore;
use crate::engine::orders::ORDERS_PATH;
use crate::engine::transport::{Clock, Method, TokenStore, Transport};
use crate::error::{ErrorKind, KisError, Result};
use crate::input::{string_arg, whole_number, Fields};
use crate::kst::{add_days, is_valid_date, kst_date, months_before};
use crate::models::{
    Balance, BalanceSummary, BuyingPower, DailyBar, Holding, Order, OrderAck, Quote,
};
use crate::order::{CancelRequest, OrderRequest, Side};
use crate::query::{
    balance_query, buying_power_query, daily_price_query, orders_query, price_query, OrdersFilter,
    Query,
};
use crate::symbol::validate_symbol;
use crate::tr_id::{tr_id_for, Op};

pub const PRICE_PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";
pub const DAILY_PRICE_PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-daily-price";
pub const BALANCE_PATH: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";
pub const BUYING_POWER_PATH: &str = "/uapi/domestic-stock/v1/trading/inquire-psbl-order";

/// `request()`'s answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RawReply {
    pub status: u16,
    pub tr_cont: String,
    pub body: Value,
}

impl ToJson for RawReply {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("status", &self.status)
            .field("trCont", &self.tr_cont)
            .field("body", &self.body)
            .end();
    }
}

fn symbol_arg<'a>(field: &str, v: &'a Value) -> Result<&'a str> {
    let s = string_arg(field, v)?;
    validate_symbol(field, s)?;
    Ok(s)
}

/// Moves the answer's `key` object out of the body.
fn output(body: &mut Value, key: &str, path: &str) -> Result<Value> {
    body.take(key).filter(|v| !v.is_null()).ok_or_else(|| {
        KisError::new(
            ErrorKind::Decode,
            cat!["KIS ", path, " answer has no `", key, "`"],
        )
        .with_request(path, "")
    })
}

/// Moves the answer's `key` rows out of the body (KIS sends a lone object for a single row).
fn rows(body: &mut Value, key: &str) -> Vec<Value> {
    match body.take(key) {
        Some(Value::Array(a)) => a,
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => Vec::new(),
    }
}

/// "YYYY-MM-DD" or "YYYYMMDD" → "YYYYMMDD".
fn date_arg(field: &str, s: &str) -> Result<String> {
    let compact: String = if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        crate::find::without(s, b'-')
    } else {
        s.to_string()
    };
    if is_valid_date(&compact) {
        Ok(compact)
    } else {
        Err(KisError::validation(
            field,
            cat![
                "must be a date as \"YYYY-MM-DD\" or \"YYYYMMDD\", got \"",
                s,
                "\""
            ],
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
        }
    }

    /// FHKST01010100.
    pub async fn get_price(&self, symbol: &Value) -> Result<Quote> {
        let symbol = symbol_arg("symbol", symbol)?;
        let call = self.read(PRICE_PATH, Op::Price, price_query(symbol));
        let mut reply = self.call_plain(&call).await?;
        Ok(Quote::from_output(
            symbol,
            output(&mut reply.body, "output", PRICE_PATH)?,
        ))
    }

    /// FHKST01010400; bars oldest first, as a chart wants them.
    pub async fn get_daily_prices(&self, symbol: &Value, options: &Value) -> Result<Vec<DailyBar>> {
        let symbol = symbol_arg("symbol", symbol)?;
        let f = Fields::new("options", options, &["period", "adjusted"], true)?;
        let period = f.opt_str("period")?.unwrap_or("D");
        if !matches!(period, "D" | "W" | "M") {
            return Err(KisError::validation(
                "options.period",
                cat!["must be \"D\", \"W\" or \"M\", got \"", period, "\""],
            ));
        }
        let adjusted = f.opt_bool("adjusted")?.unwrap_or(true);
        let call = self.read(
            DAILY_PRICE_PATH,
            Op::DailyPrice,
            daily_price_query(symbol, period, adjusted),
        );
        let mut reply = self.call_plain(&call).await?;
        // Plain loops rather than iterator chains here: each chain's adapters cost wasm bytes.
        let mut bars = Vec::new();
        // KIS sends newest first: taken from the end, rows come oldest first, and any out of
        // order settles into place (cheap on sorted input).
        for row in rows(&mut reply.body, "output").into_iter().rev() {
            let bar = DailyBar::from_row(row);
            if !bar.date.is_empty() {
                bars.push(bar);
                crate::sorted::settle_last(&mut bars, |a, b| a.date < b.date);
            }
        }
        Ok(bars)
    }

    /// TTTC8434R / VTTC8434R, every page.
    pub async fn get_balance(&self) -> Result<Balance> {
        let account = self.cfg.require_account()?;
        let call = self.read(BALANCE_PATH, Op::Balance, balance_query(account));
        let mut pages = self.all_pages(call).await?;
        let mut holdings = Vec::new();
        for page in pages.iter_mut() {
            for row in rows(page, "output1") {
                holdings.push(Holding::from_row(row));
            }
        }
        let summary = pages
            .iter_mut()
            .rev()
            .find_map(|p| rows(p, "output2").into_iter().next())
            .map(BalanceSummary::from_row)
            .ok_or_else(|| {
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
        let f = Fields::new("options", options, &["symbol", "price", "orderType"], false)?;
        let symbol = f.str("symbol")?;
        validate_symbol("options.symbol", symbol)?;
        let price = f
            .opt_number("price")?
            .map(|p| whole_number("options.price", p, 1.0))
            .transpose()?;
        let order_type = match f.opt_str("orderType")? {
            Some(t) if t.len() == 2 && t.bytes().all(|c| c.is_ascii_digit()) => t.to_string(),
            Some(t) => {
                return Err(KisError::validation(
                    "options.orderType",
                    cat!["must be a 2-digit ORD_DVSN code, got \"", t, "\""],
                ))
            }
            None if price.is_some() => "00".to_string(),
            None => "01".to_string(),
        };
        let account = self.cfg.require_account()?;
        let unit = price.map_or_else(|| "0".to_string(), num);
        let q = buying_power_query(account, symbol, &unit, &order_type);
        let mut reply = self
            .call_plain(&self.read(BUYING_POWER_PATH, Op::BuyingPower, q))
            .await?;
        Ok(BuyingPower::from_output(output(
            &mut reply.body,
            "output",
            BUYING_POWER_PATH,
        )?))
    }

    /// TTTC0081R / VTTC0081R, every page; dates default to today in Korea.
    pub async fn get_orders(&self, options: &Value) -> Result<Vec<Order>> {
        let f = Fields::new("options", options, &["from", "to", "symbol"], true)?;
        let today = kst_date(self.clock.now_ms());
        let from = f
            .opt_str("from")?
            .map(|d| date_arg("options.from", d))
            .transpose()?;
        let to = f
            .opt_str("to")?
            .map(|d| date_arg("options.to", d))
            .transpose()?;
        let to = to.unwrap_or_else(|| today.clone());
        let from = from.unwrap_or_else(|| {
            if to < today {
                to.clone()
            } else {
                today.clone()
            }
        });
        if from > to {
            return Err(KisError::validation(
                "options.from",
                "must not be after options.to",
            ));
        }
        let symbol = f.opt_str("symbol")?.unwrap_or("");
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
        for page in pages.iter_mut() {
            for row in rows(page, "output1") {
                let order = Order::from_row(row);
                if !order.order_no.is_empty() {
                    orders.push(order);
                }
            }
        }
        Ok(orders)
    }

    pub async fn buy(&self, order: &Value) -> Result<OrderAck> {
        let order = OrderRequest::from_value("order", order, &[])?;
        self.place_order(Side::Buy, &order).await
    }

    pub async fn sell(&self, order: &Value) -> Result<OrderAck> {
        let order = OrderRequest::from_value("order", order, &[])?;
        self.place_order(Side::Sell, &order).await
    }

    pub async fn cancel(&self, cancel: &Value) -> Result<OrderAck> {
        let c = CancelRequest::from_value(cancel)?;
        self.cancel_order(&c).await
    }

    /// The escape hatch: any other TR under the same policies. POSTs are never resent after
    /// they may have reached KIS, since the client cannot know whether they are idempotent.
    pub async fn request(&self, spec: &Value) -> Result<RawReply> {
        let f = Fields::new(
            "request",
            spec,
            &["method", "path", "trId", "query", "body", "trCont"],
            false,
        )?;
        let method = match f.opt_str("method")?.unwrap_or("GET") {
            "GET" | "get" => Method::Get,
            "POST" | "post" => Method::Post,
            m => {
                return Err(KisError::validation(
                    "request.method",
                    cat!["must be \"GET\" or \"POST\", got \"", m, "\""],
                ))
            }
        };
        let path = f.str("path")?;
        if !path.starts_with("/uapi/")
            || crate::find::contains(path, "..")
            || path.bytes().any(|b| b == b'?')
        {
            return Err(KisError::validation(
                "request.path",
                cat![
                    "must be a KIS /uapi/ path without a query string, got \"",
                    path,
                    "\""
                ],
            ));
        }
        let tr_id = f.str("trId")?;
        if tr_id.is_empty() || tr_id.len() > 13 || !tr_id.bytes().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(KisError::validation(
                "request.trId",
                cat!["is not a TR ID: \"", tr_id, "\""],
            ));
        }
        let mut query = Vec::new();
        if let Some(q) = f.opt_value("query") {
            let Value::Object(map) = q else {
                return Err(KisError::validation(
                    "request.query",
                    "must be an object of strings",
                ));
            };
            for (k, v) in map.iter() {
                let s = v.as_str().ok_or_else(|| {
                    KisError::validation(
                        &cat!["request.query.", k],
                        "must be a string (KIS takes strings only)",
                    )
                })?;
                query.push((k.clone(), s.to_string()));
            }
        }
        let body = match f.opt_value("body") {
            None => None,
            Some(b @ Value::Object(_)) => Some(b.to_json()),
            Some(_) => return Err(KisError::validation("request.body", "must be an object")),
        };
        if method == Method::Get && body.is_some() {
            return Err(KisError::validation(
                "request.body",
                "is not allowed on a GET",
            ));
        }
        let call = Call {
            method,
            path: path.to_string(),
            tr_id: tr_id.to_string(),
            query,
            body: body.or_else(|| (method == Method::Post).then(|| "{}".to_string())),
            tr_cont: f.opt_str("trCont")?.unwrap_or("").to_string(),
            kind: if method == Method::Get {
                CallKind::Read
            } else {
                CallKind::Write
            },
        };
        let reply = self.call_plain(&call).await?;
        Ok(RawReply {
            status: reply.status,
            tr_cont: reply.tr_cont,
            body: reply.body,
        })
    }
}

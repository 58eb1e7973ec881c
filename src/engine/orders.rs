//! B5: an order is placed at most once, and so is a cancel or modification of one. When an
//! attempt may have reached KIS (5xx without a KIS code, a lost connection, a timeout, an answer
//! that is not KIS's), the client looks it up in today's orders: found → that is the answer;
//! anything else (not listed, the lookup failed, an identical order it cannot account for) →
//! `orderStatusUnknown`, and nothing is resent, since KIS's list can lag behind its book.

use serde_json::{Map, Value};

use crate::engine::call::{Body, Call, CallKind, Failed, RawReply, Reply};
use crate::engine::core::KisCore;
use crate::engine::sending::{Shown, Terms};
use crate::engine::transport::{Clock, Method, TokenStore, Transport};
use crate::env::Env;
use crate::error::{ErrorKind, KisError, Result};
use crate::kst::{kst_date, kst_time};
use crate::models::OrderAck;
use crate::numbers::field_text;
use crate::order::{cancel_body, json_object, order_body, CancelRequest, OrderRequest, Side};
use crate::order_books::{Columns, ORDER_CASH, ORDER_CASH_CHANGE, Q};
use crate::row::Fields;
use crate::tr_id::{tr_id_for, Op};

pub const ORDERS_PATH: &str = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
const DAY_MS: f64 = 86_400_000.0;
/// Clock skew allowed between this machine and KIS when matching an order's time.
const CLOCK_SKEW_MS: f64 = 5_000.0;
/// How often a lookup checks whether identical orders of ours still await their answers: a
/// poll, on a path taken only after a failure, where a wait of a few milliseconds is nothing.
const SIBLING_POLL_MS: f64 = 50.0;

enum Lookup {
    Found(OrderAck),
    Absent,
    Unknown(KisError),
    /// Not found, but today's orders hold one this client cannot account for that could be
    /// ours (the reason, as a clause): resending could place it twice.
    Unaccounted(String),
    /// KIS does not offer the list in this environment (the reserved orders' lists, in the
    /// mock one): nothing to look in, nor to send the trader to.
    NotOffered,
}

/// How an order came to be known as placed.
pub(crate) enum Placed {
    /// KIS's own answer, and the ack read from it.
    Answered(crate::engine::call::Reply, OrderAck),
    /// Its answer was lost; today's orders list it (the ack from its row).
    Found(OrderAck),
}

/// What one look at today's orders saw.
enum Seen {
    Ours(OrderAck),
    /// The reason, as for `Lookup::Unaccounted`.
    Unaccounted(String),
    Nothing,
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// KIS's mock environment has the Korea Exchange only.
    fn check_exchange(&self, scope: &str, exchange: &str) -> Result<()> {
        if self.cfg.env == Env::Mock && exchange != "KRX" {
            return Err(KisError::validation(
                &format!("{scope}.exchange"),
                format!(
                    "KIS's mock environment has the Korea Exchange only, \"KRX\", got {exchange:?}"
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn order_call(&self, side: Side, order: &OrderRequest) -> Result<Call> {
        let account = self.cfg.require_account()?;
        self.check_exchange("order", &order.exchange)?;
        let op = match side {
            Side::Buy => Op::Buy,
            Side::Sell => Op::Sell,
        };
        Ok(Call {
            method: Method::Post,
            path: ORDER_CASH.to_string(),
            tr_id: tr_id_for(op, self.cfg.env, self.cfg.tr_ids).to_string(),
            query: Vec::new(),
            body: Some(json_object(&order_body(account, order))),
            tr_cont: String::new(),
            kind: CallKind::Order,
            keep_text: false,
            ahead: false,
        })
    }

    /// One attempt, never resent once it may have reached KIS: only an answer that proves KIS
    /// turned the order away (a gateway code, a rejected token) is sent again, by `call`.
    pub async fn place_order(&self, side: Side, order: &OrderRequest) -> Result<OrderAck> {
        let call = self.order_call(side, order)?;
        Ok(
            match self.place(&call, &Terms::of(side, order), true).await? {
                Placed::Answered(_, ack) | Placed::Found(ack) => ack,
            },
        )
    }

    /// Sends the order `call` on `terms` once; when its answer is lost, looks it up in today's
    /// orders. Both `buy`/`sell` and `call()` of a domestic order API come here. `numbered`: the
    /// caller is handed an ack whose order number it needs to cancel or change the order (the
    /// typed methods; `call()` hands on KIS's answer as it is).
    pub(crate) async fn place(&self, call: &Call, terms: &Terms, numbered: bool) -> Result<Placed> {
        let started = self.clock.now_ms();
        let attempt = self.shared.orders_sending.start(terms, started);
        let (failed, how) = match self.call(call).await {
            Ok(reply) => {
                let body = reply.object();
                let ack = OrderAck::from_answer(&body, terms.answer_order_no());
                if !numbered || !ack.order_no.is_empty() {
                    // Named before this attempt leaves the wire, for a sibling's lookup.
                    self.remember(terms, &ack.order_no);
                    return Ok(Placed::Answered(reply, ack));
                }
                // KIS took it and did not say which it is: found in the list as a lost answer's
                // order is, rather than handed over as an order nobody can cancel.
                let msg1 = body.string("msg1").unwrap_or_default();
                let e = KisError::new(
                    ErrorKind::Decode,
                    format!(
                        "KIS accepted it ({:?}) but its answer names no order number",
                        msg1.trim_ascii()
                    ),
                )
                .with_request(&call.path, &call.tr_id)
                .with_status(reply.status);
                let failed = Failed {
                    error: self.scrub(e),
                    maybe_executed: true,
                };
                (failed, "named no order")
            }
            Err(f) if !f.maybe_executed => return Err(f.error),
            Err(f) => (f, "was lost"),
        };
        attempt.lose();
        let lookup = self.find_order(terms, started).await;
        // Whatever the lookup says, this attempt's row no longer counts as one to take.
        drop(attempt);
        match lookup {
            Lookup::Found(ack) => {
                self.warn(&format!(
                    "KIS's answer to {} {how} ({}); found it in {} as {}",
                    terms.noun(),
                    failed.error.message,
                    terms.book.listed,
                    ack.order_no
                ));
                self.remember(terms, &ack.order_no);
                Ok(Placed::Found(ack))
            }
            // Listing can lag behind execution, and a request nobody answered in time may
            // still be booked: "not listed" never proves "not placed".
            Lookup::Absent => Err(unknown(terms, failed, &terms.not_shown())),
            Lookup::Unknown(lookup_error) => {
                let why = format!("looking it up failed ({})", lookup_error.message);
                Err(unknown(terms, failed, &why))
            }
            Lookup::Unaccounted(why) => Err(unknown(terms, failed, &why)),
            Lookup::NotOffered => {
                let list = crate::catalogue::find(terms.book.lookup).map_or("", |e| &e.name);
                let why = format!(
                    " and KIS's {} environment offers no {list} to look it up in",
                    self.cfg.env.as_str()
                );
                let advice = terms.advice_at("your orders in KIS's app or website");
                Err(failed.status_unknown(terms.noun(), &why, &advice))
            }
        }
    }

    /// A cancel, or a modification (정정) when `c.revision` is set: one TR, the same safety as
    /// an order — never resent once it may have reached KIS, and then looked up in today's
    /// orders, where KIS lists it as a row of its own naming the order it changes.
    pub async fn cancel_order(&self, c: &CancelRequest) -> Result<OrderAck> {
        let account = self.cfg.require_account()?;
        let scope = if c.revision.is_some() {
            "modify"
        } else {
            "cancel"
        };
        self.check_exchange(scope, &c.exchange)?;
        let call = Call {
            method: Method::Post,
            path: ORDER_CASH_CHANGE.to_string(),
            tr_id: tr_id_for(Op::Cancel, self.cfg.env, self.cfg.tr_ids).to_string(),
            query: Vec::new(),
            body: Some(json_object(&cancel_body(account, c))),
            tr_cont: String::new(),
            kind: CallKind::Order,
            keep_text: false,
            ahead: false,
        };
        Ok(match self.place(&call, &Terms::of_change(c), true).await? {
            Placed::Answered(_, ack) | Placed::Found(ack) => ack,
        })
    }

    fn remember(&self, terms: &Terms, order_no: &str) {
        if !order_no.is_empty() {
            let today = kst_date(self.clock.now_ms());
            let mut known = self.shared.known_orders.borrow_mut();
            if known.0 != today {
                *known = (today, Vec::new());
            }
            known.1.push((terms.book, order_no.to_string()));
        }
    }

    /// Two looks a retry delay apart, since KIS's daily view can lag a fresh order; first, the
    /// identical orders of ours still on the wire must have their answers (`sending`).
    async fn find_order(&self, terms: &Terms, started: f64) -> Lookup {
        let book = terms.book;
        let Some(list_tr) = self.listing_tr(book.lookup, book.lookup_tr_id) else {
            return Lookup::NotOffered;
        };
        while self.shared.orders_sending.busy(terms) {
            self.clock.sleep(SIBLING_POLL_MS).await;
        }
        let mut unaccounted = None;
        for look in 0..2 {
            if look > 0 {
                self.clock.sleep(self.cfg.retry.delay_ms.max(500.0)).await;
            }
            match self.lookup_once(terms, started, list_tr).await {
                Ok(Seen::Ours(ack)) => return Lookup::Found(ack),
                Ok(Seen::Unaccounted(which)) => unaccounted = Some(which),
                Ok(Seen::Nothing) => {}
                Err(e) => return Lookup::Unknown(e),
            }
        }
        unaccounted.map_or(Lookup::Absent, Lookup::Unaccounted)
    }

    async fn lookup_once(&self, terms: &Terms, started: f64, list_tr: &str) -> Result<Seen> {
        let now = self.clock.now_ms();
        let today = kst_date(now);
        let book = terms.book;
        let given: Map<String, Value> = book
            .query
            .iter()
            .map(|(name, q)| {
                let value = match q {
                    Q::Fixed(v) => v.to_string(),
                    Q::ByEnv(real, mock) => match self.cfg.env {
                        Env::Real => real.to_string(),
                        Env::Mock => mock.to_string(),
                    },
                    Q::Today => today.clone(),
                    Q::Yesterday => kst_date(now - DAY_MS),
                    Q::DaysAhead(days) => kst_date(now + f64::from(*days) * DAY_MS),
                    Q::Symbol => terms.symbol().to_string(),
                    Q::SideCode => terms.side_code().to_string(),
                };
                (name.to_string(), Value::String(value))
            })
            .collect();
        let mut call = self.listing_call(book.lookup, list_tr, &given)?;
        call.ahead = true;
        let mut pages: Vec<Value> = self
            .all_pages(call)
            .await?
            .iter()
            .map(Reply::value)
            .collect();
        // Read once the list is in, as is `known`: a sibling's lookup that ended meanwhile has
        // named its row and no longer counts.
        let ours_lost = self
            .shared
            .orders_sending
            .lost_since(terms, started - CLOCK_SKEW_MS);
        let known = self.shared.known_orders.borrow();
        let known: Vec<&str> = match known.0 == today {
            true => known
                .1
                .iter()
                .filter(|(book, _)| std::ptr::eq(*book, terms.book))
                .map(|(_, n)| n.as_str())
                .collect(),
            false => Vec::new(),
        };
        let since = started - CLOCK_SKEW_MS;
        let since = format!("{}{}", kst_date(since), kst_time(since));
        Ok(seen(&mut pages, terms, &since, &known, ours_lost))
    }

    pub(crate) fn orders_exchange(&self) -> &'static str {
        match self.cfg.env {
            crate::env::Env::Mock => "KRX",
            crate::env::Env::Real => "ALL",
        }
    }
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// Whether an order's parameters name this client's account (`CANO`, `ACNT_PRDT_CD`),
    /// whose list its lookup reads; `filled`: one left out is filled with it, as `call()` does.
    pub(crate) fn is_own_account(&self, params: &Value, filled: bool) -> bool {
        let Some(account) = self.cfg.account.as_ref() else {
            return false;
        };
        let is = |key: &str, own: &str| match params.get(key).and_then(Value::as_str) {
            Some(given) => given == own,
            None => filled,
        };
        is("CANO", &account.cano) && is("ACNT_PRDT_CD", &account.product)
    }

    /// Sends a call of `call()` or `request()`. An order or change on `terms` (one whose
    /// market lists its orders) is looked up in that list when its answer is lost, as `buy()`'s
    /// is, and answered as KIS would have: its row's, in the shape of KIS's answer. Any other
    /// POST is never resent once it may have reached KIS, and fails `orderStatusUnknown`.
    pub(crate) async fn send_looked_up(
        &self,
        call: Call,
        terms: Option<Terms>,
    ) -> Result<RawReply> {
        let Some(terms) = terms else {
            return Ok(self.call_plain(&call).await?.into_raw());
        };
        let order = Call {
            kind: CallKind::Order,
            ..call
        };
        Ok(match self.place(&order, &terms, false).await? {
            Placed::Answered(reply, _) => reply.into_raw(),
            Placed::Found(ack) => RawReply {
                status: 200,
                tr_cont: String::new(),
                body: Body::Made(found_answer(&terms, &ack)),
            },
        })
    }
}

/// The answer KIS would have given to the order `ack` names, had it not been lost: the shape of
/// its order API's `output`, from the row the lookup found.
pub(crate) fn found_answer(terms: &Terms, ack: &OrderAck) -> Value {
    let book = terms.book;
    let from_row = |name: &str| ack.raw.get(&name.to_ascii_lowercase()).unwrap_or_default();
    let numbered_by = terms.answer_order_no();
    let output: Map<String, Value> = terms
        .answer
        .iter()
        .map(|name| {
            let value = match name.to_ascii_uppercase().as_str() {
                _ if *name == numbered_by => ack.order_no.clone(),
                "KRX_FWDG_ORD_ORGNO" | "ORD_GNO_BRNO" => ack.org_no.clone(),
                "ORD_TMD" => ack.time.replace(':', ""),
                "ORD_DT" => from_row(book.columns.date),
                _ => from_row(name),
            };
            (name.to_string(), Value::String(value))
        })
        .collect();
    let msg1 = format!(
        "the answer was lost; found in {} as {}",
        book.listed, ack.order_no
    );
    let answer = [
        ("rt_cd", Value::from("0")),
        ("msg_cd", Value::from("")),
        ("msg1", Value::from(msg1)),
        ("output", Value::Object(output)),
    ];
    Value::Object(
        answer
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// When a row of `columns` was taken, as "YYYYMMDDHHMMSS": its day and time, or the one column
/// holding both.
fn taken_at(row: &Value, columns: &Columns) -> String {
    let time = field_text(row, columns.time);
    if time.len() >= 14 && time.bytes().all(|b| b.is_ascii_digit()) {
        return time[..14].to_string();
    }
    format!("{}{time}", field_text(row, columns.date))
}

fn unknown(terms: &Terms, failed: Failed, why: &str) -> KisError {
    failed.status_unknown(terms.noun(), &format!(" and {why}"), &terms.advice())
}

/// What one look at today's orders (`pages`) shows of an order on `terms`, sent at `since` or
/// later (KST "YYYYMMDDHHMMSS", skew allowed), given the order numbers this client was told of today
/// and how many of its attempts on these terms have lost answers (`ours_lost`).
fn seen(pages: &mut [Value], terms: &Terms, since: &str, known: &[&str], ours_lost: usize) -> Seen {
    // The rows are taken, not borrowed: the one kept becomes the ack's `raw` without a copy.
    // It is kept with its time and number, which name the ack.
    let mut ours: Option<(String, String, Value)> = None;
    let (mut new_rows, mut named) = (0, String::new());
    let mut unaccounted: Option<String> = None;
    let columns = &terms.book.columns;
    let listed = terms.book.listed;
    // Rows from every group (a row on other terms, a summary, is `Shown::Not`); a list of one
    // may come as the row itself.
    let rows = pages
        .iter_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|page| {
            page.iter_mut()
                .filter(|(name, _)| name.starts_with("output"))
                .map(|(_, group)| group.take())
        })
        .flat_map(|group| match group {
            Value::Array(rows) => rows,
            row @ Value::Object(_) => vec![row],
            _ => Vec::new(),
        });
    for row in rows {
        let shown = terms.shown_by(&row);
        if shown == Shown::Not {
            continue;
        }
        if terms.marks() {
            // A cancel that marks the order's own row: that row, of its day, marked, whenever
            // the order was taken and whoever numbered it; siblings change nothing, as one
            // mark is every identical cancel's answer.
            let order_no = field_text(&row, columns.order_no);
            return Seen::Ours(ack(terms, taken_at(&row, columns), order_no, row));
        }
        let (when, order_no) = (taken_at(&row, columns), field_text(&row, columns.order_no));
        if known.contains(&order_no.as_str()) {
            continue;
        }
        let time = || crate::kst::coloned_time(when.get(8..).unwrap_or_default());
        let which = || format!("{order_no} at {}", time());
        if when.as_str() < since {
            // Placed before this one was sent, unless this machine's clock runs ahead;
            // of whatever type, as a row of another type may still rule out "absent".
            if unaccounted.is_none() {
                unaccounted = Some(format!("{listed} hold one on the same terms that this client did not place ({}), which is this one if this machine's clock runs ahead of KIS's", which()));
            }
        } else if shown == Shown::OtherType {
            unaccounted = Some(format!(
                "{listed} hold one on the same terms, placed since, that KIS lists \
                 as order type \"{}\" ({}): this client cannot tell it is not this one",
                field_text(&row, terms.book.row.order_type),
                which()
            ));
        } else {
            if new_rows > 0 {
                named.push_str(", ");
            }
            named.push_str(&which());
            new_rows += 1;
            ours = Some((when, order_no, row));
        }
    }
    if new_rows > ours_lost {
        // More new orders on these terms than this client has answers missing for: some are
        // someone else's (another script, an order by hand), and the list cannot say which.
        // The newest could be theirs, placed right after ours.
        return Seen::Unaccounted(format!(
            "{listed} hold more on the same terms, placed since, than this client lost answers \
             for ({named}): it cannot tell which is this one"
        ));
    }
    // Identical orders of ours alone: interchangeable, so any one will do.
    let Some((when, order_no, row)) = ours else {
        return unaccounted.map_or(Seen::Nothing, Seen::Unaccounted);
    };
    Seen::Ours(ack(terms, when, order_no, row))
}

/// The ack of the order `row` shows, taken at `when` ("YYYYMMDDHHMMSS") and numbered
/// `order_no`: the row itself as its `raw`, with the list it was found in.
fn ack(terms: &Terms, when: String, order_no: String, row: Value) -> OrderAck {
    let columns = &terms.book.columns;
    let org_no = match columns.org_no {
        "" => String::new(),
        name => field_text(&row, name),
    };
    let time = crate::kst::coloned_time(when.get(8..).unwrap_or_default());
    let mut row = row;
    // The list it was found in, by the last part of its path ("inquire-daily-ccld").
    let source = terms.book.lookup.rsplit('/').next().unwrap_or_default();
    if let Some(fields) = row.as_object_mut() {
        fields.insert("source".to_string(), Value::from(source));
    }
    let raw = row.into_raw();
    OrderAck {
        order_no,
        org_no,
        time,
        raw,
    }
}

//! Orders of this client whose answer is still to come. After a lost answer, B5 looks the order
//! up among today's orders; an identical order of ours still waiting for its answer is there
//! too, under a number nobody has told us yet. Taken for the lost one, that number would be
//! reported twice and the lost order's own never. So the lookup first waits until no such
//! sibling is on the wire: each answer names its order, and what is left unnamed is ours. A
//! waiting lookup is off the wire itself, so two never wait for each other, and every attempt
//! ends within its own timeout and retry bounds.
//!
//! A modification or cancel is an attempt too: KIS lists it as a row of its own naming the
//! order it changes, and its siblings are the changes of this client to that same order.
//!
//! What is left unnamed may also be someone else's: another script's identical order, or one
//! placed by hand, in the same seconds. Rows are indistinguishable, so the lookup counts: it
//! takes a row only while there are no more unnamed rows than attempts of ours whose answers
//! are lost (`lost_since`); one more, and it cannot tell which is which.

use std::cell::Cell;
use std::cell::RefCell;

use crate::error::{KisError, Result};
use crate::models::order_no_given;
use crate::numbers::{field_number, field_text, parse_number};
use crate::order::{CancelRequest, OrderRequest, Side};
use crate::order_books::{self, Book, Cancels, Sides};
use serde_json::Value;

/// What the lookup matches an order by: identical terms are indistinguishable in KIS's list.
/// Both forms of the match live here, against a row of KIS's list and against an attempt of
/// ours still on the wire, so that "identical" means one thing.
#[derive(Clone)]
pub(crate) struct Terms {
    /// The list the order shows in, and KIS's names for its terms there.
    pub book: &'static Book,
    /// The fields of the API's answer, the shape a found order is given in.
    pub answer: &'static [&'static str],
    /// A limit order's price, or a limit modification's new one: won at home, a decimal abroad
    /// and for futures.
    price: Option<f64>,
    /// What the attempt does to the book: a new order, or a change to one.
    intent: Intent,
}

/// A new order, or a modification or cancel of one: KIS lists a change as a row of its own that
/// names the order it changes (`orgn_odno`), and a lookup for it matches by that alone (and a
/// modification's new price); its side, symbol and quantity are the original's, which a change
/// does not carry.
#[derive(Clone)]
enum Intent {
    Place {
        side: Side,
        symbol: String,
        quantity: u64,
        order_type: String,
    },
    Change {
        /// The order number it modifies or cancels.
        original: String,
        cancel: bool,
        /// A cancel KIS shows by marking the order's own row, not by a row of its own.
        mark: Option<Mark>,
    },
}

/// How a cancel shows on the order's own row: the day the order was taken (the list's numbers
/// may repeat across its days), and the row's columns and the values that show it.
#[derive(Clone)]
struct Mark {
    day: String,
    shows: &'static [(&'static str, &'static str)],
}

/// How a row of KIS's list of orders compares with an order's terms.
#[derive(PartialEq)]
pub(crate) enum Shown {
    /// Another order.
    Not,
    /// A new order on these terms.
    Same,
    /// A new order on these terms but listed with another order type (`ord_dvsn_cd`): never
    /// taken for this one, and yet nothing proves KIS lists every type as it was sent, so it
    /// rules out "absent" as a `Same` row would.
    OtherType,
}

impl Terms {
    /// `buy()`'s and `sell()`'s: domestic cash orders.
    pub fn of(side: Side, order: &OrderRequest) -> Terms {
        let (book, api) = order_books::cash_orders();
        Terms {
            book,
            answer: api.answer,
            price: order.price.map(|p| p as f64),
            intent: Intent::Place {
                side,
                symbol: order.symbol.clone(),
                quantity: order.quantity,
                order_type: order.order_type.clone(),
            },
        }
    }

    /// `cancel()`'s and `modify()`'s: a change to a domestic cash order, listed with them.
    pub fn of_change(change: &CancelRequest) -> Terms {
        let (book, api) = order_books::cash_changes();
        let price = change.revision.as_ref().and_then(|r| r.price);
        let cancel = change.revision.is_none();
        Terms::changing(
            book,
            api.answer,
            &change.order_no,
            cancel,
            price.map(|p| p as f64),
            None,
        )
    }

    /// A change's terms: a cancel's row may show any price.
    fn changing(
        book: &'static Book,
        answer: &'static [&'static str],
        original: &str,
        cancel: bool,
        price: Option<f64>,
        mark: Option<Mark>,
    ) -> Terms {
        Terms {
            book,
            answer,
            price: price.filter(|_| !cancel),
            intent: Intent::Change {
                original: original.to_string(),
                cancel,
                mark,
            },
        }
    }

    /// Whether the attempt is a cancel KIS shows by marking the order's own row.
    pub fn marks(&self) -> bool {
        matches!(&self.intent, Intent::Change { mark: Some(_), .. })
    }

    /// Why a lookup that found nothing proves nothing, as a clause.
    pub fn not_shown(&self) -> String {
        let listed = self.book.listed;
        match &self.intent {
            Intent::Change {
                original,
                mark: Some(_),
                ..
            } => format!(
                "{listed} do not show order {original} cancelled yet, but KIS may still take a \
                 slow request"
            ),
            _ => format!(
                "it is not among {listed} yet, but KIS can list an order late and may still book \
                 a slow request"
            ),
        }
    }

    /// The lookup's side: both for a change, whose side the request does not say.
    pub fn side_code(&self) -> &'static str {
        match &self.intent {
            Intent::Place { side, .. } => side.ccld_code(),
            Intent::Change { .. } => self.book.every_side,
        }
    }

    /// The lookup's symbol: every symbol ("") for a change.
    pub fn symbol(&self) -> &str {
        match &self.intent {
            Intent::Place { symbol, .. } => symbol,
            Intent::Change { .. } => "",
        }
    }

    /// The order type sent; none for a change.
    fn order_type(&self) -> &str {
        match &self.intent {
            Intent::Place { order_type, .. } => order_type,
            Intent::Change { .. } => "",
        }
    }

    /// The field of the API's answer that numbers the order: KIS's usual `ODNO` where the
    /// answer has one, else the one named as the list's column (a domestic reserved order's
    /// `rsvn_ord_seq`).
    pub fn answer_order_no(&self) -> &'static str {
        let column = self.book.columns.order_no;
        let named = |wanted: &str| self.answer.iter().find(|a| a.eq_ignore_ascii_case(wanted));
        named("ODNO")
            .or_else(|| named(column))
            .copied()
            .unwrap_or("ODNO")
    }

    /// How an error names the attempt, and how it says trying it again.
    fn wording(&self) -> (&'static str, &'static str) {
        match self.intent {
            Intent::Place { .. } => ("the order", "placing it"),
            Intent::Change { cancel: true, .. } => ("the cancel", "cancelling"),
            Intent::Change { cancel: false, .. } => ("the modification", "modifying"),
        }
    }

    /// How an error names the attempt.
    pub fn noun(&self) -> &'static str {
        self.wording().0
    }

    /// What to do before trying the attempt again.
    pub fn advice(&self) -> String {
        self.advice_at(self.book.listed)
    }

    /// The same, where the trader is to check `place`.
    pub fn advice_at(&self, place: &str) -> String {
        let again = self.wording().1;
        format!("check {place} before {again} again")
    }

    /// The terms of an order sent through `call()` to order API `path` with `tr_id` and KIS's
    /// own parameters, when a list of orders shows it; None for an API with no list behind it,
    /// or a TR ID of it that no list shows; an Asian reserved order's cancel, sent through the
    /// API that places them, is its book's change. Parameters the
    /// lookup could not match an order by are refused by name before anything is sent: a
    /// quantity that is not a whole number above 0, a price that is not a number, a side code
    /// other than "01"/"02", a change naming no order, each as `scope.NAME`. KIS would refuse
    /// most of them too, but only after the order went out.
    pub fn of_call(path: &str, tr_id: &str, params: &Value, scope: &str) -> Result<Option<Terms>> {
        let text = |k: &str| field_text(params, k);
        // Where the order type takes none, KIS's "0" or "".
        let price = |name: &str| -> Result<Option<f64>> {
            let given = text(name);
            match given.as_str() {
                "" => Ok(None),
                p if is_decimal(p) => Ok(parse_number(p).filter(|p| *p > 0.0)),
                _ => refused(scope, name, &given, PRICE_RULE),
            }
        };
        // A call is an order or a change only with the parameter values it asks for (Asia's
        // reserved orders are placed and cancelled through one API and TR ID).
        let holds = |when: &[(&str, &str)]| when.iter().all(|(name, value)| text(name) == *value);
        let order = order_books::book_of(path, tr_id).filter(|(_, o)| holds(o.when));
        let Some((book, order)) = order else {
            let change = order_books::change_of(path, tr_id).filter(|(_, c)| holds(c.when));
            let Some((book, change)) = change else {
                return Ok(None);
            };
            let Some(original) = order_no_given(text(change.original)) else {
                return refused(
                    scope,
                    change.original,
                    &text(change.original),
                    "the number of the order to change",
                );
            };
            let cancel = match change.cancels {
                Cancels::ByParam(name, value) => text(name) == value,
                Cancels::ByTrId(ids) => ids.contains(&tr_id),
            };
            let mark = match (change.marks, text(change.original_date)) {
                ([], _) => None,
                // The list's numbers may repeat across its days: without the day, no row is
                // surely this order's.
                (_, day) if day.is_empty() => return Ok(None),
                (shows, day) => Some(Mark { day, shows }),
            };
            let price = match mark {
                Some(_) => None,
                None => price(book.params.price)?,
            };
            return Ok(Some(Terms::changing(
                book,
                change.answer,
                &original,
                cancel,
                price,
                mark,
            )));
        };
        let side = match &order.sides {
            Sides::ByTrId(buys, _) if buys.contains(&tr_id) => Side::Buy,
            Sides::ByTrId(_, sells) if sells.contains(&tr_id) => Side::Sell,
            Sides::ByTrId(..) => return Ok(None),
            Sides::ByParam(name) => match Side::from_ccld_code(&text(name)) {
                Some(side) => side,
                None => return refused(scope, name, &text(name), "\"01\" (sell) or \"02\" (buy)"),
            },
            Sides::Only(side) => *side,
        };
        let names = &book.params;
        let quantity = text(names.quantity);
        let Some(quantity) = quantity.parse::<u64>().ok().filter(|q| *q > 0) else {
            return refused(
                scope,
                names.quantity,
                &quantity,
                "a whole number above 0 (\"10\")",
            );
        };
        let price = price(names.price)?;
        let order_type = match names.order_type {
            "" => String::new(),
            name => text(name),
        };
        Ok(Some(Terms {
            book,
            answer: order.answer,
            price,
            intent: Intent::Place {
                side,
                symbol: text(names.symbol),
                quantity,
                order_type,
            },
        }))
    }

    /// How a row of KIS's list shows these terms: a new order of the same side, symbol and
    /// quantity, and for a limit order the same price (a market order's lookup takes any), is
    /// `Same` when its order type is this one's or not listed. A correction or cancel has a row
    /// of its own naming the order it changes (`orgn_odno`; empty, or zeros, on a new order):
    /// never a new order of ours, and the row a change's lookup takes when it names the same
    /// order.
    pub fn shown_by(&self, row: &Value) -> Shown {
        let (names, columns) = (&self.book.row, &self.book.columns);
        let original = order_no_given(field_text(row, columns.original));
        let same_price = || {
            self.price
                .is_none_or(|p| field_number(row, names.price) == Some(p))
        };
        let (side, symbol, quantity, order_type) = match &self.intent {
            // A marking cancel: the order's own row, of its day, marked.
            Intent::Change {
                original: ours,
                mark: Some(mark),
                ..
            } => {
                let listed = field_text(row, columns.order_no);
                let this = same_order(&listed, ours) && field_text(row, columns.date) == mark.day;
                let marked = mark.shows.iter().all(|(c, v)| field_text(row, c) == *v);
                return match this && marked {
                    true => Shown::Same,
                    false => Shown::Not,
                };
            }
            // A modification's row shows its new price; a market one's, and a cancel's, any.
            Intent::Change { original: ours, .. } => {
                return match original.is_some_and(|o| same_order(&o, ours)) && same_price() {
                    true => Shown::Same,
                    false => Shown::Not,
                };
            }
            Intent::Place {
                side,
                symbol,
                quantity,
                order_type,
            } => (side, symbol, quantity, order_type),
        };
        let alike = field_text(row, names.symbol) == *symbol
            && field_text(row, columns.side) == side.ccld_code()
            && field_number(row, names.quantity) == Some(*quantity as f64)
            && same_price()
            && original.is_none();
        let listed = match names.order_type {
            "" => String::new(),
            name => field_text(row, name),
        };
        match alike {
            false => Shown::Not,
            true if listed.is_empty() || listed == *order_type => Shown::Same,
            true => Shown::OtherType,
        }
    }

    /// Whether an attempt on `other`'s terms would show in a lookup for these: the rule of
    /// [`Terms::shown_by`] between two orders, whatever their types (a sibling's row of
    /// either kind sways the lookup until the sibling's answer names it).
    fn takes(&self, other: &Terms) -> bool {
        match (&self.intent, &other.intent) {
            (Intent::Change { original: a, .. }, Intent::Change { original: b, .. }) => {
                same_order(a, b)
            }
            (
                Intent::Place {
                    side,
                    symbol,
                    quantity,
                    ..
                },
                Intent::Place {
                    side: other_side,
                    symbol: other_symbol,
                    quantity: other_quantity,
                    ..
                },
            ) => {
                std::ptr::eq(other.book, self.book)
                    && other_side == side
                    && other_symbol == symbol
                    && other_quantity == quantity
                    && self.price.is_none_or(|p| other.price == Some(p))
            }
            _ => false,
        }
    }
}

/// Whether two order numbers name one order: KIS lists them ten digits long, and a caller may
/// have written one without its leading zeros.
fn same_order(a: &str, b: &str) -> bool {
    a.trim_start_matches('0') == b.trim_start_matches('0')
}

/// This client's order attempts from the request until their outcome is known: identical
/// attempts are interchangeable here, so each is its terms and the time it was sent.
#[derive(Default)]
pub(crate) struct Sending {
    attempts: RefCell<Vec<Attempt>>,
    /// Names each attempt's entry for its `InFlight`.
    next_id: Cell<u32>,
}

struct Attempt {
    id: u32,
    terms: Terms,
    sent_ms: f64,
    /// Off the wire with its answer lost, while it is looked up.
    lost: bool,
}

/// One attempt, listed until dropped.
pub(crate) struct InFlight<'a> {
    sending: &'a Sending,
    id: u32,
}

impl InFlight<'_> {
    /// Its answer is lost: from now until the lookup ends it counts in `lost_since`, and no
    /// longer in `busy`. One step, so that a sibling's lookup always sees it in one or the
    /// other.
    pub fn lose(&self) {
        let mut attempts = self.sending.attempts.borrow_mut();
        if let Some(a) = attempts.iter_mut().find(|a| a.id == self.id) {
            a.lost = true;
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut attempts = self.sending.attempts.borrow_mut();
        if let Some(i) = attempts.iter().position(|a| a.id == self.id) {
            attempts.swap_remove(i);
        }
    }
}

impl Sending {
    pub fn start(&self, terms: &Terms, sent_ms: f64) -> InFlight<'_> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        self.attempts.borrow_mut().push(Attempt {
            id,
            terms: terms.clone(),
            sent_ms,
            lost: false,
        });
        InFlight { sending: self, id }
    }

    /// Whether an attempt on the wire could be the order a lookup for `terms` finds.
    pub fn busy(&self, terms: &Terms) -> bool {
        self.count(terms, false, f64::NEG_INFINITY) > 0
    }

    /// How many rows of KIS's list a lookup for `terms` may take for this client's own: one
    /// for each attempt of ours sent since `since_ms` whose answer was lost, on terms whose
    /// row the lookup takes (the same type too). Never more: a row beyond that count is
    /// someone else's, and the lookup cannot tell which.
    pub fn lost_since(&self, terms: &Terms, since_ms: f64) -> usize {
        self.count(terms, true, since_ms)
    }

    /// This client's attempts on the wire (`lost` false) or with lost answers, sent since
    /// `since_ms`, whose rows a lookup for `terms` takes (a lost one's of the same type too).
    fn count(&self, terms: &Terms, lost: bool, since_ms: f64) -> usize {
        self.attempts
            .borrow()
            .iter()
            .filter(|a| {
                a.lost == lost
                    && a.sent_ms >= since_ms
                    && terms.takes(&a.terms)
                    && (!lost || a.terms.order_type() == terms.order_type())
            })
            .count()
    }
}

const PRICE_RULE: &str =
    "a number as KIS writes one (\"70000\", \"150.25\"; \"0\" where the order type takes no price)";

/// The error for KIS parameter `name` of `scope`, given as `given`, which must be `rule`.
fn refused<T>(scope: &str, name: &str, given: &str, rule: &str) -> Result<T> {
    Err(KisError::validation(
        &format!("{scope}.{name}"),
        format!("must be {rule}, not {given:?}"),
    ))
}

/// A price as KIS writes one: digits with at most one decimal point, negative for a spread's.
fn is_decimal(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(symbol: &str) -> Terms {
        typed(symbol, Some(70_000.0), "00")
    }

    fn typed(symbol: &str, price: Option<f64>, order_type: &str) -> Terms {
        let (book, api) = order_books::cash_orders();
        Terms {
            book,
            answer: api.answer,
            price,
            intent: Intent::Place {
                side: Side::Buy,
                symbol: symbol.into(),
                quantity: 1,
                order_type: order_type.into(),
            },
        }
    }

    #[test]
    fn an_attempt_is_on_the_wire_until_dropped() {
        let sending = Sending::default();
        let (a, b) = (terms("005930"), terms("000660"));
        let first = sending.start(&a, 0.0);
        let second = sending.start(&a, 0.0);
        assert!(sending.busy(&a) && !sending.busy(&b));
        drop(first);
        assert!(sending.busy(&a), "an identical attempt is still out");
        drop(second);
        assert!(!sending.busy(&a));
    }

    #[test]
    fn siblings_sent_in_the_same_millisecond_are_each_on_the_wire_or_lost() {
        let sending = Sending::default();
        let a = terms("005930");
        let (first, second) = (sending.start(&a, 5.0), sending.start(&a, 5.0));
        first.lose();
        assert!(sending.busy(&a), "the second is still on the wire");
        assert_eq!(sending.lost_since(&a, 0.0), 1);
        second.lose();
        assert!(!sending.busy(&a));
        assert_eq!(sending.lost_since(&a, 0.0), 2);
        assert_eq!(
            sending.lost_since(&a, 6.0),
            0,
            "sent before the lookup's window"
        );
        drop(first);
        assert_eq!(sending.lost_since(&a, 0.0), 1);
        let other_type = typed("005930", Some(70_000.0), "01");
        assert_eq!(
            sending.lost_since(&other_type, 0.0),
            0,
            "its rows are not taken"
        );
    }

    #[test]
    fn a_changes_lookup_waits_for_changes_to_the_same_order_only() {
        let sending = Sending::default();
        let change = |order_no: &str, price: Option<u64>| {
            Terms::of_change(&CancelRequest {
                order_no: order_no.into(),
                org_no: "06010".into(),
                quantity: None,
                revision: price.map(|p| crate::order::Revision {
                    order_type: "00".into(),
                    price: Some(p),
                }),
                exchange: "KRX".into(),
            })
        };
        let new_order = terms("005930");
        let cancel = sending.start(&change("0000001001", None), 0.0);
        assert!(
            sending.busy(&change("0000001001", Some(70_100))),
            "its row names the same order"
        );
        assert!(!sending.busy(&change("0000001002", None)));
        assert!(
            !sending.busy(&new_order),
            "a change's row is never a new order"
        );
        drop(cancel);
        let _order = sending.start(&new_order, 0.0);
        assert!(!sending.busy(&change("0000001001", None)));
    }

    #[test]
    fn a_market_orders_lookup_waits_for_a_limit_sibling_but_not_the_other_way() {
        let sending = Sending::default();
        let limit = terms("005930");
        let market = typed("005930", None, "01");
        let on_the_wire = sending.start(&limit, 0.0);
        assert!(sending.busy(&market), "its lookup takes any price");
        drop(on_the_wire);
        let _on_the_wire = sending.start(&market, 0.0);
        assert!(
            !sending.busy(&limit),
            "a market order's row has no price to match"
        );
    }
}

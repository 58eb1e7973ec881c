//! Orders of this client whose answer is still to come. After a lost answer, B5 looks the order
//! up among today's orders; an identical order of ours still waiting for its answer is there
//! too, under a number nobody has told us yet. Taken for the lost one, that number would be
//! reported twice and the lost order's own never. So the lookup first waits until no such
//! sibling is on the wire: each answer names its order, and what is left unnamed is ours. A
//! waiting lookup is off the wire itself, so two never wait for each other, and every attempt
//! ends within its own timeout and retry bounds.

use crate::prelude::*;

use crate::cell::RefCell;

use crate::json::Value;
use crate::numbers::{field_number, field_text};
use crate::order::{OrderRequest, Side};

/// What the lookup matches an order by: identical terms are indistinguishable in KIS's list.
/// Both forms of the match live here, against a row of KIS's list and against an attempt of
/// ours still on the wire, so that "identical" means one thing.
#[derive(Clone, PartialEq)]
pub(crate) struct Terms {
    pub side: Side,
    pub symbol: String,
    quantity: u64,
    price: Option<u64>,
    order_type: String,
}

/// How a row of KIS's daily orders compares with an order's terms.
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
    pub fn of(side: Side, order: &OrderRequest) -> Terms {
        Terms {
            side,
            symbol: order.symbol.clone(),
            quantity: order.quantity,
            price: order.price,
            order_type: order.order_type.clone(),
        }
    }

    /// How a row of KIS's daily orders shows these terms: a new order of the same side,
    /// symbol and quantity, and for a limit order the same price (a market order's lookup
    /// takes any), is `Same` when its order type is this one's or not listed. A correction or
    /// cancel has a row of its own naming the order it changes in `orgn_odno` (empty, or
    /// zeros, on a new order): never one of ours.
    pub fn shown_by(&self, row: &Value) -> Shown {
        let alike = field_text(row, "pdno") == self.symbol
            && field_text(row, "sll_buy_dvsn_cd") == self.side.ccld_code()
            && field_number(row, "ord_qty") == Some(self.quantity as f64)
            && self
                .price
                .is_none_or(|p| field_number(row, "ord_unpr") == Some(p as f64))
            && field_text(row, "orgn_odno").bytes().all(|b| b == b'0');
        let listed = field_text(row, "ord_dvsn_cd");
        match alike {
            false => Shown::Not,
            true if listed.is_empty() || listed == self.order_type => Shown::Same,
            true => Shown::OtherType,
        }
    }

    /// Whether an attempt on `other`'s terms would show in a lookup for these: the rule of
    /// [`Terms::shown_by`] between two orders, whatever their types (a sibling's row of
    /// either kind sways the lookup until the sibling's answer names it).
    fn takes(&self, other: &Terms) -> bool {
        other.side == self.side
            && other.symbol == self.symbol
            && other.quantity == self.quantity
            && self.price.is_none_or(|p| other.price == Some(p))
    }
}

/// Identical attempts are interchangeable here, so each is just its terms.
#[derive(Default)]
pub(crate) struct Sending(RefCell<Vec<Terms>>);

/// One attempt on the wire, from the request until its answer (or failure) is in.
pub(crate) struct OnTheWire<'a> {
    sending: &'a Sending,
    terms: &'a Terms,
}

impl Drop for OnTheWire<'_> {
    fn drop(&mut self) {
        let mut attempts = self.sending.0.borrow_mut();
        if let Some(i) = attempts.iter().position(|t| t == self.terms) {
            attempts.swap_remove(i);
        }
    }
}

impl Sending {
    pub fn start<'a>(&'a self, terms: &'a Terms) -> OnTheWire<'a> {
        self.0.borrow_mut().push(terms.clone());
        OnTheWire {
            sending: self,
            terms,
        }
    }

    /// Whether an attempt on the wire could be the order a lookup for `terms` finds.
    pub fn busy(&self, terms: &Terms) -> bool {
        self.0.borrow().iter().any(|t| terms.takes(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(symbol: &str) -> Terms {
        Terms {
            side: Side::Buy,
            symbol: symbol.into(),
            quantity: 1,
            price: Some(70_000),
            order_type: "00".into(),
        }
    }

    #[test]
    fn an_attempt_is_on_the_wire_until_dropped() {
        let sending = Sending::default();
        let (a, b) = (terms("005930"), terms("000660"));
        let first = sending.start(&a);
        let second = sending.start(&a);
        assert!(sending.busy(&a) && !sending.busy(&b));
        drop(first);
        assert!(sending.busy(&a), "an identical attempt is still out");
        drop(second);
        assert!(!sending.busy(&a));
    }

    #[test]
    fn a_market_orders_lookup_waits_for_a_limit_sibling_but_not_the_other_way() {
        let sending = Sending::default();
        let limit = terms("005930");
        let market = Terms {
            price: None,
            order_type: "01".into(),
            ..terms("005930")
        };
        let on_the_wire = sending.start(&limit);
        assert!(sending.busy(&market), "its lookup takes any price");
        drop(on_the_wire);
        let _on_the_wire = sending.start(&market);
        assert!(
            !sending.busy(&limit),
            "a market order's row has no price to match"
        );
    }
}

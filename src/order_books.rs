//! Where KIS lists the orders each order API places: B5's lookup when an order's answer is lost.
//! For each market, the order APIs it lists and how each tells the side, the order's terms in
//! KIS's parameter names, the list to look in (a catalogued API and its query) and the names of
//! that list's columns. The data is `catalogue/order-books.json`, which kis-mock reads too; a
//! new market is a new entry there.
//!
//! Each book also names the APIs that modify or cancel its orders: KIS lists a change as an order
//! of its own naming the one it changes, so a change's lost answer is looked up there too.
//! Reserved orders have books of their own, the lists of reserved orders; their changes rewrite
//! the reserved order's row rather than listing one: the overseas cancels mark it, and are
//! looked up as that mark; the domestic ones have no book. Order APIs with no book (those
//! changes) end `orderStatusUnknown` when their answer is lost. One API may place the
//! orders of two markets, told apart by TR ID (overseas reserved orders: the US's and Asia's,
//! listed by one list under two TR IDs).

use crate::order::Side;

/// How an order API tells the side of the order it places.
pub(crate) enum Sides {
    /// By its TR ID: (buys, sells), current and legacy.
    ByTrId(&'static [&'static str], &'static [&'static str]),
    /// By a parameter holding KIS's code, "01" sell or "02" buy.
    ByParam(&'static str),
    /// The API places one side only.
    Only(Side),
}

/// A value of the lookup's query.
pub(crate) enum Q {
    Fixed(&'static str),
    /// (real, mock): the mock environment takes less (one exchange, "" for all).
    ByEnv(&'static str, &'static str),
    /// The KST day, YYYYMMDD.
    Today,
    /// The day before, KST: a market abroad dates its orders by its own day, behind Korea's.
    Yesterday,
    /// The KST day this many days ahead: a list of reserved orders may date each by the day it
    /// is for.
    DaysAhead(u32),
    /// The order's symbol.
    Symbol,
    /// The order's side, "01" sell or "02" buy.
    SideCode,
}

/// KIS's names for an order's terms: in the order API's parameters, or in the list's columns.
pub(crate) struct Terms {
    pub symbol: &'static str,
    pub quantity: &'static str,
    pub price: &'static str,
    /// "" where the list has no column KIS fills with the type the order was sent as.
    pub order_type: &'static str,
}

/// A list's columns beside the terms, lower-case as KIS's lists send them. The rows are read
/// from every `output…` group: the workbook puts some lists' columns under another group than
/// KIS's examples do (the bond list's rows come in `output1`, its layout names `output2`).
pub(crate) struct Columns {
    /// "01" sell, "02" buy.
    pub side: &'static str,
    /// The KST day (YYYYMMDD) the order was taken.
    pub date: &'static str,
    /// The KST time (HHMMSS) it was taken, or a date and time (YYYYMMDDHHMMSS…).
    pub time: &'static str,
    pub order_no: &'static str,
    /// The branch that took it; "" where the list has none.
    pub org_no: &'static str,
    /// The order a modification or cancel changes; empty or zeros on a new order.
    pub original: &'static str,
}

pub(crate) struct OrderApi {
    pub path: &'static str,
    pub sides: Sides,
    /// The TR IDs under which a call is this book's order; any, where empty. (`Sides::ByTrId`
    /// names them itself.)
    pub tr_ids: &'static [&'static str],
    /// The parameter values without which a call is not a new order: Asia's reserved orders
    /// are cancelled through the same API and TR ID.
    pub when: &'static [(&'static str, &'static str)],
    /// The fields of its answer, `output`, as the catalogue names them: a found order is
    /// answered in this shape (one object, as KIS's examples show, where the workbook's layout
    /// says rows for some).
    pub answer: &'static [&'static str],
}

/// How a change API tells a cancel from a modification.
pub(crate) enum Cancels {
    /// A parameter (name, the cancel's value; any other value modifies).
    ByParam(&'static str, &'static str),
    /// Its TR IDs: the cancel's (any other modifies).
    ByTrId(&'static [&'static str]),
}

/// An API that modifies or cancels an order of the book.
pub(crate) struct ChangeApi {
    pub path: &'static str,
    /// The TR IDs under which a call is this change; any, where empty.
    pub tr_ids: &'static [&'static str],
    /// The parameter values without which a call is not this change: Asia's reserved orders
    /// are cancelled through the API that places them.
    pub when: &'static [(&'static str, &'static str)],
    /// The parameter naming the order it changes.
    pub original: &'static str,
    /// The parameter naming the day that order was taken, where the list's numbers may repeat
    /// across its days; "" where none.
    pub original_date: &'static str,
    pub cancels: Cancels,
    /// A cancel that marks the order's own row instead of listing one: the row's columns and
    /// the values that show it (the US's reserved orders: `cncl_yn` "Y"). Empty for a change
    /// listed as a row of its own.
    pub marks: &'static [(&'static str, &'static str)],
    /// The fields of its answer's `output`, as for [`OrderApi::answer`].
    pub answer: &'static [&'static str],
}

pub(crate) struct Book {
    /// How an error names this list to a trader who must check it before sending again: today's
    /// orders (what `getOrders()` reads), or the list's catalogued name for `call()`.
    pub listed: &'static str,
    /// The order APIs this list shows.
    pub orders: &'static [OrderApi],
    /// The APIs that modify or cancel them, listed here too.
    pub changes: &'static [ChangeApi],
    /// The order's terms in the order APIs' parameters.
    pub params: Terms,
    /// The list: a catalogued API (path), and the query the client does not fill itself (the
    /// account and continuation keys it does).
    pub lookup: &'static str,
    /// The list's TR ID that shows this market, where it has several; "" for its first.
    pub lookup_tr_id: &'static str,
    pub query: &'static [(&'static str, Q)],
    /// The list's code for both sides, which a change's lookup asks for: it does not know the
    /// side of the order it changes. Empty in a book with no changes.
    pub every_side: &'static str,
    pub row: Terms,
    pub columns: Columns,
}

// `BOOKS`, one a market, from `catalogue/order-books.json` (by build.rs).
include!(concat!(env!("OUT_DIR"), "/order_books.rs"));

pub(crate) const ORDER_CASH: &str = "/uapi/domestic-stock/v1/trading/order-cash";
pub(crate) const ORDER_CASH_CHANGE: &str = "/uapi/domestic-stock/v1/trading/order-rvsecncl";

/// Whether an API that names `tr_ids` (any, where it names none) takes a call under `tr_id`.
fn under(tr_ids: &[&str], tr_id: &str) -> bool {
    tr_ids.is_empty() || tr_ids.contains(&tr_id)
}

impl OrderApi {
    /// Whether a call under `tr_id` places this book's orders.
    fn under(&self, tr_id: &str) -> bool {
        match &self.sides {
            Sides::ByTrId(buys, sells) => buys.contains(&tr_id) || sells.contains(&tr_id),
            _ => under(self.tr_ids, tr_id),
        }
    }
}

/// Order API `path` called under `tr_id`, and the book listing its orders.
pub(crate) fn book_of(path: &str, tr_id: &str) -> Option<(&'static Book, &'static OrderApi)> {
    BOOKS.iter().find_map(|b| {
        let order = b.orders.iter().find(|o| o.path == path && o.under(tr_id))?;
        Some((b, order))
    })
}

/// Change API `path` called under `tr_id`, and the book listing the orders it changes.
pub(crate) fn change_of(path: &str, tr_id: &str) -> Option<(&'static Book, &'static ChangeApi)> {
    BOOKS.iter().find_map(|b| {
        let change = (b.changes.iter()).find(|c| c.path == path && under(c.tr_ids, tr_id))?;
        Some((b, change))
    })
}

/// `cancel()`'s and `modify()`'s: changes to domestic cash orders (a test checks the books list
/// them).
pub(crate) fn cash_changes() -> (&'static Book, &'static ChangeApi) {
    change_of(ORDER_CASH_CHANGE, "TTTC0013U").unwrap_or((&BOOKS[0], &BOOKS[0].changes[0]))
}

/// `buy()`'s and `sell()`'s: domestic cash orders (a test checks the books list them).
pub(crate) fn cash_orders() -> (&'static Book, &'static OrderApi) {
    book_of(ORDER_CASH, "TTTC0012U").unwrap_or((&BOOKS[0], &BOOKS[0].orders[0]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The books are written by hand beside the generated catalogue: every API, parameter and
    /// field they name must be the catalogue's, or a lookup would read columns KIS never sends.
    #[test]
    fn every_book_names_apis_parameters_and_fields_of_the_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/catalogue/kis-api.json");
        let full: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let api = |path: &str| -> &Value {
            full["rest"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["path"] == path)
                .unwrap_or_else(|| panic!("{path} is catalogued"))
        };
        let names = |list: &Value| -> Vec<String> {
            let list = list.as_array().unwrap().iter();
            list.map(|f| f["name"].as_str().unwrap().to_string())
                .collect()
        };
        let terms = |t: &Terms| {
            [t.symbol, t.quantity, t.price, t.order_type]
                .into_iter()
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
        };
        // A POST of the catalogue that takes `read` and answers `answer` in `output`.
        let post = |path: &str, read: Vec<&str>, answer: &[&str]| -> String {
            let catalogued = api(path);
            assert_eq!(catalogued["method"], "POST", "{path}");
            let params = names(&catalogued["request"]);
            for p in read {
                assert!(params.iter().any(|n| n == p), "{path} takes {p}");
            }
            let output = catalogued["response"]["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["name"] == "output")
                .unwrap_or_else(|| panic!("{path} answers with output"));
            assert_eq!(names(&output["fields"]), *answer, "{path}'s answer");
            catalogued["trIds"].to_string()
        };
        for book in BOOKS {
            for OrderApi {
                path,
                sides,
                tr_ids,
                when,
                answer,
            } in book.orders
            {
                let mut read = terms(&book.params);
                if let Sides::ByParam(name) = sides {
                    read.push(name);
                }
                read.extend(when.iter().map(|(name, _)| *name));
                let ids = post(path, read, answer);
                if let Sides::ByTrId(buys, sells) = sides {
                    let catalogued = buys.iter().chain(*sells).filter(|id| ids.contains(*id));
                    assert!(catalogued.count() >= 2, "{path}: a buy and a sell TR ID");
                }
                for id in *tr_ids {
                    assert!(ids.contains(&format!("\"{id}\"")), "{path} has TR ID {id}");
                }
            }
            for ChangeApi {
                path,
                tr_ids,
                when,
                original,
                original_date,
                cancels,
                marks,
                answer,
            } in book.changes
            {
                // A marked row is the order's by its number and day: a marking cancel names both.
                assert!(
                    marks.is_empty() || !original_date.is_empty(),
                    "{path}: originalDate"
                );
                let mut read = vec![*original];
                read.extend(when.iter().map(|(name, _)| *name));
                // A change listed as a row of its own may carry a new price; a marking cancel
                // carries none.
                if marks.is_empty() {
                    read.push(book.params.price);
                }
                if !original_date.is_empty() {
                    read.push(original_date);
                }
                if let Cancels::ByParam(name, _) = cancels {
                    read.push(name);
                }
                let ids = post(path, read, answer);
                if let Cancels::ByTrId(cancels) = cancels {
                    assert!(cancels.iter().all(|id| ids.contains(id)), "{path}");
                }
                for id in *tr_ids {
                    assert!(ids.contains(&format!("\"{id}\"")), "{path} has TR ID {id}");
                }
            }
            let list = api(book.lookup);
            assert_eq!(list["method"], "GET", "{}", book.lookup);
            if !book.lookup_tr_id.is_empty() {
                let real = list["trIds"]["real"].as_array().unwrap();
                assert!(
                    real.iter().any(|t| t["id"] == book.lookup_tr_id),
                    "{} has TR ID {}",
                    book.lookup,
                    book.lookup_tr_id
                );
            }
            // An error sends a trader to this list: by the name call() takes, unless it is the
            // one getOrders() reads.
            let own_name = format!(" in {}", list["name"].as_str().unwrap());
            // Under a TR ID other than its first, which `call()` takes unless told.
            let own_name = match book.lookup_tr_id {
                "" => own_name,
                id => format!("{own_name} (trId {id})"),
            };
            match std::ptr::eq(book, cash_orders().0) {
                true => assert_eq!(book.listed, "today's orders"),
                false => assert!(book.listed.ends_with(&own_name), "{}", book.lookup),
            }
            // Both sides, in the list's own code, where the query asks for a side and a change
            // may need it.
            let side = book.query.iter().find(|(_, q)| matches!(q, Q::SideCode));
            // A change listed as a row of its own is looked up by the order it names, on either
            // side; a marking cancel by the order's own row.
            let listed_changes = book.changes.iter().any(|c| c.marks.is_empty());
            assert_eq!(
                listed_changes,
                !book.every_side.is_empty(),
                "{}: everySide where changes listed as rows are looked up",
                book.lookup
            );
            if let (Some((name, _)), true) = (side, listed_changes) {
                let described = list["request"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["name"] == *name)
                    .unwrap()["description"]
                    .to_string();
                assert!(
                    described.contains(book.every_side),
                    "{}: {name} takes {:?}",
                    book.lookup,
                    book.every_side
                );
            }
            let params = names(&list["request"]);
            for (p, _) in book.query {
                assert!(params.iter().any(|n| n == p), "{} takes {p}", book.lookup);
            }
            let groups = list["response"]["groups"].as_array().unwrap();
            let fields: Vec<String> = groups.iter().flat_map(|g| names(&g["fields"])).collect();
            let c = &book.columns;
            let columns = [c.side, c.date, c.time, c.order_no, c.org_no, c.original];
            let marked = book
                .changes
                .iter()
                .flat_map(|c| c.marks.iter().map(|(col, _)| *col));
            for f in terms(&book.row).into_iter().chain(columns).chain(marked) {
                assert!(
                    f.is_empty() || fields.iter().any(|n| n == f),
                    "{} has {f}",
                    book.lookup
                );
            }
        }
    }

    /// The TR IDs an order API is a book's order under.
    fn trs(o: &OrderApi) -> Vec<&'static str> {
        match &o.sides {
            Sides::ByTrId(buys, sells) => buys.iter().chain(*sells).copied().collect(),
            _ => o.tr_ids.to_vec(),
        }
    }

    #[test]
    fn each_order_api_is_in_one_book_under_each_tr_id() {
        let orders: Vec<(&Book, &OrderApi)> = BOOKS
            .iter()
            .flat_map(|b| b.orders.iter().map(move |o| (b, o)))
            .collect();
        for (book, o) in &orders {
            let shared = orders.iter().filter(|(_, q)| q.path == o.path).count();
            // An API two books share is told apart by TR ID: each names its own.
            assert!(
                shared == 1 || !trs(o).is_empty(),
                "{}: TR IDs of its own",
                o.path
            );
            let ids = match trs(o) {
                ids if ids.is_empty() => vec!["any"],
                ids => ids,
            };
            for id in ids {
                assert!(std::ptr::eq(book_of(o.path, id).unwrap().0, *book), "{id}");
            }
        }
        let resv = "/uapi/overseas-stock/v1/trading/order-resv";
        let (us, asia) = (book_of(resv, "TTTT3014U"), book_of(resv, "TTTS3013U"));
        assert!(us.is_some() && asia.is_some());
        assert!(!std::ptr::eq(us.unwrap().0, asia.unwrap().0));
        assert_eq!(asia.unwrap().0.lookup_tr_id, "TTTS3014R");
        assert!(book_of(resv, "TTTT3017U").is_none());
        assert!(book_of("/uapi/domestic-stock/v1/trading/order-resv", "any").is_some());
        assert!(change_of("/uapi/domestic-stock/v1/trading/order-resv-rvsecncl", "any").is_none());
        let changes: Vec<&ChangeApi> = BOOKS.iter().flat_map(|b| b.changes).collect();
        for c in &changes {
            let tr = c.tr_ids.first().copied().unwrap_or("any");
            assert!(
                std::ptr::eq(change_of(c.path, tr).unwrap().1, *c),
                "{}",
                c.path
            );
            assert_eq!(changes.iter().filter(|d| d.path == c.path).count(), 1);
            // A change that shares its path with an order API is told from it by a
            // parameter's value that the order API asks otherwise.
            if let Some((_, order)) = book_of(c.path, tr) {
                let told = c
                    .when
                    .iter()
                    .any(|(name, value)| order.when.iter().any(|(n, v)| n == name && v != value));
                assert!(told, "{}: told from the order API", c.path);
            }
        }
        let asia = change_of("/uapi/overseas-stock/v1/trading/order-resv", "TTTS3013U");
        assert!(asia.is_some_and(|(_, c)| !c.marks.is_empty()));
        assert!(change_of("/uapi/overseas-stock/v1/trading/order-resv", "TTTT3014U").is_none());
        assert_eq!(cash_orders().1.path, ORDER_CASH);
        assert_eq!(cash_changes().1.path, ORDER_CASH_CHANGE);
        assert!(std::ptr::eq(cash_changes().0, cash_orders().0));
    }
}

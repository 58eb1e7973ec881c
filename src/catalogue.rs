//! Every KIS REST API, as data: the endpoint table `build.rs` generates from
//! `catalogue/kis-api.json` (which `tools/kis-catalogue` makes from KIS's workbook). One line an
//! API; the generic call path (`engine/api_call.rs`) reads it, so adding an API is adding data.

use std::sync::OnceLock;

use crate::env::Env;

#[cfg(not(feature = "no-catalogue"))]
const TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/endpoints.txt"));
#[cfg(feature = "no-catalogue")]
const TABLE: &str = "";

#[derive(Debug, Clone, PartialEq)]
pub struct TrIdOption {
    pub id: &'static str,
    /// When KIS says to use it (`매도`, `3개월이내`), for an API with several.
    pub when: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The method name ([`method_name`] of the path).
    pub name: String,
    pub post: bool,
    pub path: &'static str,
    pub real: Vec<TrIdOption>,
    /// `None`: KIS does not offer it in the mock environment.
    pub mock: Option<Vec<TrIdOption>>,
    /// In KIS's order, which is the order they are sent in.
    pub params: Vec<Param>,
}

impl Endpoint {
    /// Its TR IDs in `env`; None where KIS does not offer it there (the mock, for some).
    pub fn tr_ids(&self, env: Env) -> Option<&[TrIdOption]> {
        match env {
            Env::Real => Some(&self.real),
            Env::Mock => self.mock.as_deref(),
        }
    }
}

fn tr_ids(cell: &'static str) -> Vec<TrIdOption> {
    cell.split(' ')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (id, when) = s.split_once(':').unwrap_or((s, ""));
            TrIdOption { id, when }
        })
        .collect()
}

/// The rule that names every API, stable and guessable from its path: the product and the path
/// after the category, `/`, `-` and `_` all word breaks, in camelCase —
/// `/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn` →
/// `domesticStockInquireAskingPriceExpCcn`. The converter (`tools/kis-catalogue`) refuses a
/// workbook where two APIs would share a name.
pub fn method_name(path: &str) -> String {
    let segs: Vec<&str> = path.trim_start_matches("/uapi/").split('/').collect();
    // product / version / category / tail…; an API with no tail keeps its category.
    let tail = match segs.len() {
        0..=3 => segs.get(2..).unwrap_or_default(),
        _ => &segs[3..],
    };
    let words = segs
        .iter()
        .take(1)
        .chain(tail)
        .flat_map(|s| s.split(['-', '_']));
    let mut name = String::new();
    for (i, w) in words.filter(|w| !w.is_empty()).enumerate() {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            match i {
                0 => name.push(first.to_ascii_lowercase()),
                _ => name.push(first.to_ascii_uppercase()),
            }
            name.push_str(chars.as_str());
        }
    }
    name
}

fn parse(line: &'static str) -> Option<Endpoint> {
    let mut cells = line.split('|');
    let (method, path, real, mock, params) = (
        cells.next()?,
        cells.next()?,
        cells.next()?,
        cells.next()?,
        cells.next()?,
    );
    Some(Endpoint {
        name: method_name(path),
        post: method == "POST",
        path,
        real: tr_ids(real),
        mock: (mock != "-").then(|| tr_ids(mock)),
        params: params
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| match p.strip_prefix('!') {
                Some(name) => Param {
                    name,
                    required: true,
                },
                None => Param {
                    name: p,
                    required: false,
                },
            })
            .collect(),
    })
}

/// Every catalogued REST API, parsed once.
pub fn endpoints() -> &'static [Endpoint] {
    static ALL: OnceLock<Vec<Endpoint>> = OnceLock::new();
    ALL.get_or_init(|| TABLE.lines().filter_map(parse).collect())
}

/// The API of a method name, or of a `/uapi/` path.
pub fn find(name_or_path: &str) -> Option<&'static Endpoint> {
    endpoints()
        .iter()
        .find(|e| e.name == name_or_path || e.path == name_or_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_path() {
        assert_eq!(
            method_name("/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn"),
            "domesticStockInquireAskingPriceExpCcn"
        );
        assert_eq!(
            method_name("/uapi/domestic-stock/v1/trading/pension/inquire-daily-ccld"),
            "domesticStockPensionInquireDailyCcld"
        );
        assert_eq!(
            method_name("/uapi/overseas-price/v1/quotations/price"),
            "overseasPricePrice"
        );
    }

    #[test]
    fn the_table_holds_every_rest_api_of_the_catalogue() {
        assert_eq!(endpoints().len(), 275);
        assert_eq!(endpoints().iter().filter(|e| e.mock.is_some()).count(), 38);
        let order = find("domesticStockOrderCash").unwrap();
        assert!(order.post);
        assert_eq!(order.path, "/uapi/domestic-stock/v1/trading/order-cash");
        assert_eq!(
            order.real,
            [
                TrIdOption {
                    id: "TTTC0011U",
                    when: "매도"
                },
                TrIdOption {
                    id: "TTTC0012U",
                    when: "매수"
                }
            ]
        );
        assert!(order.params.iter().any(|p| p.name == "CANO" && p.required));
        let price = find("/uapi/domestic-stock/v1/quotations/inquire-price").unwrap();
        assert_eq!(price.name, "domesticStockInquirePrice");
        assert_eq!(price.real[0].id, "FHKST01010100");
        assert_eq!(price.mock.as_ref().unwrap()[0].id, "FHKST01010100");
        assert!(find("/uapi/domestic-stock/v1/trading/period-rights")
            .unwrap()
            .mock
            .is_none());
    }
}

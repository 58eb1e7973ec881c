//! Method names. The rule, stable and guessable from the path: the product and the path after
//! the category, in camelCase, `/` and `-` both word breaks —
//! `/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn` →
//! `domesticStockInquireAskingPriceExpCcn`. Where two APIs of a product share that tail under
//! different categories, both keep the category too (`…QuotationsX`, `…TradingX`).

use std::collections::HashMap;

use crate::{err, Error, RestApi};

fn camel(words: &[&str]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().filter(|w| !w.is_empty()).enumerate() {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first.to_ascii_lowercase());
            } else {
                out.push(first.to_ascii_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

/// `(product, category, tail)` of `/uapi/<product>/<version>/<category>/<tail…>`.
fn words<'a>(segs: &[&'a str]) -> Vec<&'a str> {
    segs.iter().flat_map(|s| s.split(['-', '_'])).collect()
}

fn parts(path: &str) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let segs: Vec<&str> = path.trim_start_matches("/uapi/").split('/').collect();
    let product = words(&segs[..1.min(segs.len())]);
    let category = words(segs.get(2..3).unwrap_or(&[]));
    let tail = words(segs.get(3..).unwrap_or(&[]));
    (product, category, tail)
}

pub fn method_name(path: &str, with_category: bool) -> String {
    let (product, category, tail) = parts(path);
    let mut words = product;
    if with_category || tail.is_empty() {
        words.extend(category);
    }
    words.extend(tail);
    camel(&words)
}

/// The path's words as a title: `domestic stock · inquire asking price exp ccn`.
pub fn title(path: &str) -> String {
    let (product, _, tail) = parts(path);
    format!("{} · {}", product.join(" "), tail.join(" "))
}

/// Names every API; fails if the rule still gives two the same name.
pub fn assign(apis: &mut [RestApi]) -> Result<(), Error> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for a in apis.iter() {
        *count.entry(method_name(&a.path, false)).or_default() += 1;
    }
    for a in apis.iter_mut() {
        let short = method_name(&a.path, false);
        a.name = method_name(&a.path, count[&short] > 1);
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for a in apis.iter() {
        if let Some(other) = seen.insert(&a.name, &a.path) {
            if other != a.path {
                return Err(err(format!(
                    "{} and {} are both named {}",
                    other, a.path, a.name
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_path() {
        assert_eq!(
            method_name(
                "/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn",
                false
            ),
            "domesticStockInquireAskingPriceExpCcn"
        );
        assert_eq!(
            method_name(
                "/uapi/domestic-stock/v1/trading/pension/inquire-daily-ccld",
                false
            ),
            "domesticStockPensionInquireDailyCcld"
        );
        assert_eq!(
            method_name("/uapi/overseas-price/v1/quotations/price", true),
            "overseasPriceQuotationsPrice"
        );
    }
}

//! Query strings for the read TRs, with every parameter KIS's own samples send (B9): empty ones
//! as "", all values strings, keys upper-case.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::account::Account;

pub type Query = Vec<(String, String)>;

fn q(pairs: &[(&str, &str)]) -> Query {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn price_query(symbol: &str) -> Query {
    q(&[("FID_COND_MRKT_DIV_CODE", "J"), ("FID_INPUT_ISCD", symbol)])
}

pub fn daily_price_query(symbol: &str, period: &str, adjusted: bool) -> Query {
    q(&[
        ("FID_COND_MRKT_DIV_CODE", "J"),
        ("FID_INPUT_ISCD", symbol),
        ("FID_PERIOD_DIV_CODE", period),
        ("FID_ORG_ADJ_PRC", if adjusted { "1" } else { "0" }),
    ])
}

pub fn balance_query(a: &Account) -> Query {
    q(&[
        ("CANO", &a.cano),
        ("ACNT_PRDT_CD", &a.product),
        ("AFHR_FLPR_YN", "N"),
        ("OFL_YN", ""),
        ("INQR_DVSN", "01"),
        ("UNPR_DVSN", "01"),
        ("FUND_STTL_ICLD_YN", "N"),
        ("FNCG_AMT_AUTO_RDPT_YN", "N"),
        ("PRCS_DVSN", "00"),
        ("CTX_AREA_FK100", ""),
        ("CTX_AREA_NK100", ""),
    ])
}

pub fn buying_power_query(a: &Account, symbol: &str, unit_price: &str, order_type: &str) -> Query {
    q(&[
        ("CANO", &a.cano),
        ("ACNT_PRDT_CD", &a.product),
        ("PDNO", symbol),
        ("ORD_UNPR", unit_price),
        ("ORD_DVSN", order_type),
        ("CMA_EVLU_AMT_ICLD_YN", "N"),
        ("OVRS_ICLD_YN", "N"),
    ])
}

pub struct OrdersFilter<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub symbol: &'a str,
    /// "00" all, "01" sell, "02" buy.
    pub side: &'a str,
    /// "KRX" in the mock environment (all it supports), "ALL" in the real one.
    pub exchange: &'a str,
}

pub fn orders_query(a: &Account, f: &OrdersFilter) -> Query {
    q(&[
        ("CANO", &a.cano),
        ("ACNT_PRDT_CD", &a.product),
        ("INQR_STRT_DT", f.from),
        ("INQR_END_DT", f.to),
        ("SLL_BUY_DVSN_CD", f.side),
        ("PDNO", f.symbol),
        ("ORD_GNO_BRNO", ""),
        ("ODNO", ""),
        ("CCLD_DVSN", "00"),
        ("INQR_DVSN", "00"),
        ("INQR_DVSN_1", ""),
        ("INQR_DVSN_3", "00"),
        ("EXCG_ID_DVSN_CD", f.exchange),
        ("CTX_AREA_FK100", ""),
        ("CTX_AREA_NK100", ""),
    ])
}

/// Sets a parameter, keeping its position when present.
pub fn set(query: &mut Query, key: &str, value: &str) {
    match query.iter_mut().find(|(k, _)| k == key) {
        Some(pair) => pair.1 = value.to_string(),
        None => query.push((key.to_string(), value.to_string())),
    }
}

/// What encodeURIComponent leaves as it is: letters, digits and `-_.!~*'()`. Keys and values
/// are encoded by its rules, so continuation keys (with `^` and trailing spaces) survive byte
/// for byte.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

pub fn url_with_query(base: &str, path: &str, query: &Query) -> String {
    let mut url = format!("{base}{path}");
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.extend(utf8_percent_encode(k, COMPONENT));
        url.push('=');
        url.extend(utf8_percent_encode(v, COMPONENT));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b9_every_parameter_present_even_empty() {
        let a = Account::parse("account", "12345678").unwrap();
        let qs = balance_query(&a);
        assert_eq!(qs.len(), 11);
        assert!(qs.contains(&("OFL_YN".into(), "".into())));
        assert!(qs
            .iter()
            .all(|(k, _)| k.chars().all(|c| !c.is_ascii_lowercase())));
        let url = url_with_query("http://h", "/p", &daily_price_query("005930", "D", true));
        assert_eq!(
            url,
            "http://h/p?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930&FID_PERIOD_DIV_CODE=D&FID_ORG_ADJ_PRC=1"
        );
    }

    #[test]
    fn b9_continuation_keys_survive_encoding() {
        let key = "81055689^01^N^N^01^01^N^   ";
        let query = vec![(key.to_string(), "한 (a-b_c.d!e~f*g'h)".to_string())];
        assert_eq!(
            url_with_query("http://h", "/p", &query),
            "http://h/p?81055689%5E01%5EN%5EN%5E01%5E01%5EN%5E%20%20%20=%ED%95%9C%20(a-b_c.d!e~f*g'h)"
        );
    }
}

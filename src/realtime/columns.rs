//! Each realtime TR's data-frame columns in order, from the catalogue (`build.rs` writes the
//! table from `catalogue/kis-api.json`).

use std::sync::OnceLock;

use serde_json::{Map, Value};

const TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/realtime.txt"));

/// A TR: its real ID, its mock IDs, its columns.
type Tr = (&'static str, Vec<&'static str>, Vec<&'static str>);

/// The table, parsed once: every data frame looks its TR up.
fn trs() -> &'static [Tr] {
    static ALL: OnceLock<Vec<Tr>> = OnceLock::new();
    ALL.get_or_init(|| {
        TABLE
            .lines()
            .filter_map(|line| {
                let mut cells = line.splitn(3, '|');
                let (real, mock, cols) = (cells.next()?, cells.next()?, cells.next()?);
                Some((real, mock.split(' ').collect(), cols.split(',').collect()))
            })
            .collect()
    })
}

/// The columns of `tr_id`'s data frames (a real or a mock TR ID), or None for an unknown TR.
pub fn columns(tr_id: &str) -> Option<&'static [&'static str]> {
    trs()
        .iter()
        .find(|(real, mocks, _)| *real == tr_id || mocks.contains(&tr_id))
        .map(|(_, _, cols)| cols.as_slice())
}

/// One record's fields by column name (the table's, already in lower case). Past the catalogue's columns (KIS adds some now and
/// then: H0STCNI0 went from 23 to 26), the rest are kept under their position, so a newer
/// frame never fails; a shorter record leaves the missing columns out.
pub fn record(columns: &[&str], fields: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for (i, f) in fields.iter().enumerate() {
        let key = columns
            .get(i)
            .map_or_else(|| format!("_{i}"), |c| c.to_string());
        out.insert(key, Value::from(*f));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_realtime_tr_of_the_catalogue_has_its_columns() {
        assert_eq!(TABLE.lines().count(), 60);
        let trade = columns("H0STCNT0").unwrap();
        assert_eq!(trade.len(), 46);
        assert_eq!(
            &trade[..3],
            ["mksc_shrn_iscd", "stck_cntg_hour", "stck_prpr"]
        );
        assert_eq!(
            columns("H0STCNI9"),
            columns("H0STCNI0"),
            "the mock's fill notices"
        );
        assert!(columns("NOPE0000").is_none());
    }

    #[test]
    fn a_record_with_more_columns_than_known_keeps_them_all() {
        let r = record(&["a", "b"], &["1", "2", "3"]);
        assert_eq!(r["a"], "1");
        assert_eq!(r["b"], "2");
        assert_eq!(r["_2"], "3");
        assert_eq!(record(&["a", "b"], &["1"]).len(), 1);
    }
}

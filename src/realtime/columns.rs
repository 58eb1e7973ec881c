//! Each realtime TR's data-frame columns in order, from the catalogue (`build.rs` writes the
//! table from `catalogue/kis-api.json`).

use std::sync::OnceLock;

use std::borrow::Cow;

use crate::row::{Fields, Raw};

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
                // "-": KIS offers the TR in no mock environment; no ID, where a TR ID of "-"
                // had found the first such TR.
                let mocks = match mock {
                    "-" => Vec::new(),
                    ids => ids.split(' ').collect(),
                };
                Some((real, mocks, cols.split(',').collect()))
            })
            .collect()
    })
}

fn tr(tr_id: &str) -> Option<&'static Tr> {
    trs()
        .iter()
        .find(|(real, mocks, _)| *real == tr_id || mocks.contains(&tr_id))
}

/// The columns of `tr_id`'s data frames (a real or a mock TR ID), or None for an unknown TR.
pub fn columns(tr_id: &str) -> Option<&'static [&'static str]> {
    tr(tr_id).map(|(_, _, cols)| cols.as_slice())
}

/// The real TR ID of `tr_id` and its mock ones (none where KIS offers it in no mock), or None
/// for an unknown TR.
pub fn ids(tr_id: &str) -> Option<(&'static str, &'static [&'static str])> {
    tr(tr_id).map(|(real, mocks, _)| (*real, mocks.as_slice()))
}

/// One record of a data frame: its fields by the TR's columns (the table's, already in lower
/// case), borrowed from the frame. Past the catalogue's columns (KIS adds some now and then:
/// H0STCNI0 went from 23 to 26), the rest are named by their position (`_23`), so a newer frame
/// never fails; a shorter record lacks the missing columns. Read in place rather than made a
/// map: a busy connection brings thousands a second.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    columns: &'static [&'static str],
    fields: Vec<&'a str>,
}

impl<'a> Record<'a> {
    pub fn new(columns: &'static [&'static str], fields: Vec<&'a str>) -> Record<'a> {
        Record { columns, fields }
    }

    /// What the record is about, as its subscription named it: its first field (the symbol; a
    /// fill notice's HTS ID).
    pub fn key(&self) -> &'a str {
        self.fields.first().copied().unwrap_or_default()
    }

    /// The field of the column `key`: its last, should the catalogue name a column twice (as
    /// `JSON.parse` reads the record's `raw`).
    fn position(&self, key: &str) -> Option<usize> {
        match self.columns.iter().rposition(|c| *c == key) {
            Some(i) => Some(i),
            None => key
                .strip_prefix('_')?
                .parse()
                .ok()
                .filter(|&i| i >= self.columns.len()),
        }
    }
}

impl Fields for Record<'_> {
    fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        self.fields
            .get(self.position(key)?)
            .map(|f| Cow::Borrowed(*f))
    }

    fn into_raw(self) -> Raw {
        (&self).into_raw()
    }
}

/// Read through a reference: a record's `raw` needs nothing of it but its fields, and each of
/// a record's shapes reads the same one.
impl Fields for &Record<'_> {
    fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        (**self).text(key)
    }

    fn into_raw(self) -> Raw {
        let name = |i: usize| match self.columns.get(i) {
            Some(c) => Cow::Borrowed(*c),
            None => Cow::Owned(format!("_{i}")),
        };
        let pairs: Vec<_> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (name(i), *f))
            .collect();
        Raw::from_pairs(&pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

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
        assert!(
            columns("-").is_none(),
            "the table's mark for no mock TR is no TR ID"
        );
    }

    fn raw(r: Record) -> Value {
        serde_json::to_value(r.into_raw()).unwrap()
    }

    #[test]
    fn a_record_with_more_columns_than_known_keeps_them_all() {
        let r = Record::new(&["a", "b"], vec!["1", "2", "3"]);
        assert_eq!(r.text("a").as_deref(), Some("1"));
        assert_eq!(r.text("b").as_deref(), Some("2"));
        assert_eq!(r.text("_2").as_deref(), Some("3"));
        assert_eq!(r.text("_1"), None, "a known column is read by its name");
        assert_eq!(r.key(), "1");
        assert_eq!(raw(r), json!({"a": "1", "b": "2", "_2": "3"}));
        let short = Record::new(&["a", "b"], vec!["1"]);
        assert_eq!(short.text("b"), None);
        assert_eq!(raw(short), json!({"a": "1"}));
    }

    #[test]
    fn a_column_the_catalogue_names_twice_reads_as_json_parse_reads_it() {
        // HDFSASP0's columns name dask3, pbid3 and others twice.
        let r = Record::new(&["a", "x", "b", "x"], vec!["1", "2", "3", "4"]);
        assert_eq!(r.text("x").as_deref(), Some("4"));
        let v = raw(r);
        assert_eq!(v, json!({"a": "1", "x": "4", "b": "3"}));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["a", "x", "b"]);
    }

    #[test]
    fn a_field_is_kept_as_sent_whatever_it_holds() {
        let odd = "say \"hi\" \\ \u{1}\n 한글";
        let r = Record::new(&["a"], vec![odd]);
        assert_eq!(raw(r), json!({ "a": odd }));
    }
}

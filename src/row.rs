//! KIS objects read in place from the answer's text. A quote's `output` has some 80 fields,
//! of which the result reads ten: parsed into a `serde_json::Value` each would be an entry of
//! a hashed map, built, written back out as `raw` and dropped, on every call. Here an object
//! is its fields in KIS's order with each value's JSON text borrowed, and `raw` is the row's
//! own text when its values are all strings, as KIS sends them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A JSON object's fields in the order of its text, each value's text borrowed from it.
#[derive(Debug, Default)]
pub struct Object<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Object<'a> {
    /// `text` as an object; an error for anything that is not a JSON object.
    pub fn read(text: &'a str) -> serde_json::Result<Object<'a>> {
        serde_json::from_str(text)
    }

    /// The value of `key`; the last one when the text repeats the key, as `JSON.parse` and
    /// `serde_json::Value` read it.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The string at `key`, escapes read; None when it is missing or not a string.
    pub fn string(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key).and_then(string)
    }

    /// The fields, owned.
    pub fn to_owned(&self) -> OwnedObject {
        let fields = self.0.iter().map(|(k, v)| (k.to_string(), (*v).to_owned()));
        OwnedObject(fields.collect())
    }
}

/// An object's fields owned, each value's text kept as it was: what a reply keeps of KIS's
/// answer, so that reading its fields again parses nothing.
#[derive(Debug, Clone, Default)]
pub struct OwnedObject(Vec<(String, Box<RawValue>)>);

impl OwnedObject {
    /// The fields, borrowed.
    pub fn object(&self) -> Object<'_> {
        Object(
            self.0
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), &**v))
                .collect(),
        )
    }

    /// The object parsed whole, for the paths that hand it on as it is.
    pub fn value(&self) -> Value {
        let fields = self.0.iter().map(|(k, v)| {
            // Each value was read as JSON once already.
            let v = serde_json::from_str(v.get()).unwrap_or_default();
            (k.clone(), v)
        });
        Value::Object(fields.collect())
    }
}

/// A string value's text, borrowed when it has no escape to read.
fn string(v: &RawValue) -> Option<Cow<'_, str>> {
    let text = v.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    match inner.contains('\\') {
        false => Some(Cow::Borrowed(inner)),
        true => serde_json::from_str::<String>(text).ok().map(Cow::Owned),
    }
}

/// What a JSON value is, in a sentence about it.
pub fn kind_of(v: &RawValue) -> &'static str {
    match v.get().as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    }
}

/// A key borrowed from the text unless it has escapes to read.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((Key(k), v)) = map.next_entry::<Key, &RawValue>()? {
                    fields.push((k, v));
                }
                Ok(Object(fields))
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

/// A KIS row: an object whose values are strings (a number or null is read leniently).
#[derive(Debug)]
pub struct Row<'a> {
    text: &'a RawValue,
    fields: Object<'a>,
}

impl<'a> Row<'a> {
    /// `v` as a row; None when it is not an object.
    pub fn read(v: &'a RawValue) -> Option<Row<'a>> {
        let fields = Object::read(v.get()).ok()?;
        Some(Row { text: v, fields })
    }

    /// The first field holding an array or an object, where KIS sends a string, and which
    /// of the two it is.
    pub fn nested(&self) -> Option<(&str, &'static str)> {
        let (name, v) = self
            .fields
            .0
            .iter()
            .find(|(_, v)| matches!(v.get().as_bytes().first(), Some(b'[' | b'{')))?;
        Some((name, kind_of(v)))
    }
}

/// A KIS object's fields, read by name: a row read in place, or a parsed `Value` (a realtime
/// record, a row of a list the client looks an order up in).
pub trait Fields {
    /// The field as text: a string as sent, a number as its JSON text; None when missing
    /// or anything else.
    fn text(&self, key: &str) -> Option<Cow<'_, str>>;

    /// All fields as `raw`, values as sent (non-string values in their JSON text, since
    /// KIS's fields are strings and the type says so).
    fn into_raw(self) -> Raw;
}

impl Fields for Row<'_> {
    fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        let v = self.fields.get(key)?;
        match v.get().as_bytes().first() {
            Some(b'"') => string(v),
            Some(b'-' | b'0'..=b'9') => Some(Cow::Borrowed(v.get())),
            _ => None,
        }
    }

    fn into_raw(self) -> Raw {
        if self.fields.0.iter().all(|(_, v)| v.get().starts_with('"')) {
            return Raw::verbatim(self.text);
        }
        let fields = self.fields.0.into_iter().map(|(k, v)| {
            let text = string(v).map_or_else(|| v.get().to_string(), Cow::into_owned);
            (k.into_owned(), Value::String(text))
        });
        Raw::from_map(fields.collect())
    }
}

impl Fields for Value {
    fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.get(key)? {
            Value::String(s) => Some(Cow::Borrowed(s)),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        }
    }

    fn into_raw(self) -> Raw {
        match self {
            Value::Object(m) => Raw::from_map(m),
            _ => Raw::default(),
        }
    }
}

/// Names and values written as one JSON object, in their order, with no map built and dropped
/// on the way: a realtime record's `raw`, an order's body, a request's headers for fetch.
pub struct Pairs<'a, K, V>(pub &'a [(K, V)]);

impl<K: Serialize, V: Serialize> Serialize for Pairs<'_, K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// KIS fields as received, in KIS's order: the JSON text of an object of strings, written out
/// as it stands, and read back by name only where the client needs a field of it.
#[derive(Debug, Clone)]
pub struct Raw(Box<RawValue>);

impl Raw {
    /// A row's own text, whose values are all strings.
    pub(crate) fn verbatim(text: &RawValue) -> Raw {
        Raw(text.to_owned())
    }

    /// The fields of `map`, values as sent (non-string values in their JSON text, since KIS's
    /// fields are strings and the type says so).
    pub fn from_map(mut map: Map<String, Value>) -> Raw {
        for v in map.values_mut() {
            if !v.is_string() {
                *v = Value::String(v.to_string());
            }
        }
        // A map of strings is always JSON.
        Raw(serde_json::value::to_raw_value(&map).unwrap_or_else(|_| Raw::default().0))
    }

    /// Fields given by name and value, in that order, written as they are into one JSON object.
    /// A name given twice reads as `JSON.parse` reads it: in its first place, with its last
    /// value.
    pub fn from_pairs(pairs: &[(Cow<'_, str>, &str)]) -> Raw {
        // String names and values are always JSON.
        Raw(serde_json::value::to_raw_value(&Pairs(pairs)).unwrap_or_else(|_| Raw::default().0))
    }

    /// The fields, parsed.
    fn fields(&self) -> Map<String, Value> {
        serde_json::from_str(self.0.get()).unwrap_or_default()
    }

    /// The field `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        let fields = Object::read(self.0.get()).ok()?;
        fields.string(key).map(Into::into)
    }

    /// These fields, then those of `other` that these do not have.
    pub fn merged(self, other: Raw) -> Raw {
        let mut fields = self.fields();
        for (k, v) in other.fields() {
            fields.entry(k).or_insert(v);
        }
        Raw::from_map(fields)
    }
}

impl Default for Raw {
    fn default() -> Raw {
        Raw(RawValue::from_string("{}".to_string()).expect("an empty object is JSON"))
    }
}

impl PartialEq for Raw {
    fn eq(&self, other: &Raw) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> Option<Row<'_>> {
        let v: &RawValue = serde_json::from_str(text).unwrap();
        Row::read(v)
    }

    #[test]
    fn b8_a_row_reads_its_fields_in_place_and_its_escapes_read() {
        let text = r#"{"a":" 12 ","b":"\uC0BC\uC131","b":"삼성","n":-3.5,"z":null}"#;
        let r = row(text).unwrap();
        assert!(matches!(r.text("a"), Some(Cow::Borrowed(" 12 "))));
        assert_eq!(r.text("b").as_deref(), Some("삼성"));
        assert_eq!(r.text("n").as_deref(), Some("-3.5"));
        assert_eq!(r.text("z"), None);
        assert_eq!(r.text("missing"), None);
        let escaped = r#"{"k":"a\"b\\c\u0041"}"#;
        assert_eq!(row(escaped).unwrap().text("k").as_deref(), Some("a\"b\\cA"));
        let key = r#"{"\u0050":"x"}"#;
        assert_eq!(row(key).unwrap().text("P").as_deref(), Some("x"));
    }

    #[test]
    fn b8_raw_is_the_rows_text_when_all_its_values_are_strings() {
        let text = r#"{"stck_prpr":"71000", "prdy_ctrt":"+1.26"}"#;
        let raw = row(text).unwrap().into_raw();
        assert_eq!(serde_json::to_string(&raw).unwrap(), text);
        // A number or null as its JSON text, as the type says every value is a string.
        let raw = row(r#"{"a":1.50,"b":null,"c":"x"}"#).unwrap().into_raw();
        assert_eq!(
            serde_json::to_string(&raw).unwrap(),
            r#"{"a":"1.50","b":"null","c":"x"}"#
        );
    }

    #[test]
    fn anything_but_a_flat_object_is_named() {
        assert!(row("[]").is_none());
        assert!(row(r#""""#).is_none());
        let nested = row(r#"{"a":"1","b":{"c":"2"},"d":[]}"#).unwrap();
        assert_eq!(nested.nested(), Some(("b", "an object")));
        assert_eq!(row(r#"{"a":"1"}"#).unwrap().nested(), None);
        // Read leniently all the same: a nested value is no field's text, and in `raw` it is
        // its JSON text, as a number's is.
        assert_eq!(nested.text("b"), None);
        assert_eq!(
            serde_json::to_string(&nested.into_raw()).unwrap(),
            r#"{"a":"1","b":"{\"c\":\"2\"}","d":"[]"}"#
        );
    }

    #[test]
    fn a_repeated_key_reads_as_its_last_value() {
        let o = Object::read(r#"{"rt_cd":"1","rt_cd":"0"}"#).unwrap();
        assert_eq!(o.string("rt_cd").as_deref(), Some("0"));
        assert!(Object::read("[1]").is_err());
        assert!(Object::read(r#"{"a":1"#).is_err());
    }
}

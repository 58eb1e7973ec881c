//! The crate's own small JSON: a value tree, a parser and a writer.
//!
//! Why not serde_json: KIS bodies are flat objects of strings, and the client only reads fields
//! by name and writes results it builds itself. serde_json, serde's derived code and BTreeMap were
//! about a sixth of the wasm and most of the per-call time after the answer arrived. Here:
//! - objects keep their keys in order in a Vec (KIS objects have tens of keys, not thousands);
//! - numbers keep their JSON text, so a decimal from KIS or a caller reaches JS exactly as
//!   written, and `as_f64` converts only where the client does arithmetic.

use crate::prelude::*;

use core::fmt;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number, held as its (valid, canonical-enough) JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Number(Box<str>);

/// An object: keys in the order they came. A repeated key's last value wins, as in JSON.parse.
#[derive(Debug, Clone, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
    /// The text it was parsed from, until something changes it: written back as it came.
    /// Results carry KIS's objects as `raw`, and writing them key by key again was a fifth of
    /// a quote's instructions; JSON.parse reads the same object from either text.
    text: Option<Box<str>>,
}

/// Equal entries; where an object's text came from does not matter.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.entries == other.entries
    }
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, replacing an earlier value in place.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        self.text = None;
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.text = None;
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Moves `key`'s value out, leaving null in its place.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        let slot = self.entries.iter_mut().rev().find(|(k, _)| k == key)?;
        self.text = None;
        Some(core::mem::take(&mut slot.1))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl core::ops::Index<&str> for Map {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&Value::Null)
    }
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// Moves field `key` of an object out (null left behind); None if absent or not an object.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        match self {
            Value::Object(m) => m.take(key),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

impl core::ops::Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&Value::Null)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<f64> for Value {
    /// Non-finite numbers have no JSON form and become null, as in JSON.stringify.
    fn from(n: f64) -> Value {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

// ---- numbers ------------------------------------------------------------------------------------

/// 10^0 ..= 10^22: every one exact in an f64, which is what makes the fast path below exact.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
const MAX_EXACT: u64 = 1 << 53;

impl Number {
    /// `text` must already be a JSON number (the parser and `from_f64` guarantee it).
    fn from_valid(text: &str) -> Number {
        Number(text.into())
    }

    /// JSON text for `n`: whole numbers as integers, others in the shortest form that reads
    /// back as the same f64. None when `n` is not finite.
    pub fn from_f64(n: f64) -> Option<Number> {
        let mut s = String::new();
        write_f64(&mut s, n).then(|| Number(s.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest f64; see [`decimal_f64`].
    pub fn as_f64(&self) -> f64 {
        decimal_f64(&self.0).unwrap_or(f64::NAN)
    }
}

/// A decimal number as KIS and JSON write them, read without allocating: an optional sign,
/// digits with an optional fraction (leading zeros and a bare "." allowed, unlike JSON), and an
/// optional exponent. None if `s` is anything else.
///
/// Exact (correctly rounded) up to 15 significant digits with exponents within ±22, which
/// covers every price, quantity and rate KIS or a caller sends; beyond that within an ulp or so.
pub fn decimal_f64(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let neg = b.first() == Some(&b'-');
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let (mut mant, mut exp10, mut seen) = (0u64, 0i32, 0usize);
    let mut frac = false;
    while i < b.len() {
        match b[i] {
            d @ b'0'..=b'9' => {
                seen += 1;
                // Digits past the 18th cannot change an f64; only their place value counts.
                if mant < 100_000_000_000_000_000 {
                    mant = mant * 10 + u64::from(d - b'0');
                    exp10 -= i32::from(frac);
                } else if !frac {
                    exp10 += 1;
                }
            }
            b'.' if !frac => frac = true,
            _ => break,
        }
        i += 1;
    }
    if seen == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg = b.get(i) == Some(&b'-');
        i += usize::from(matches!(b.get(i), Some(b'-' | b'+')));
        let start = i;
        let mut e: i32 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            e = (e * 10 + i32::from(b[i] - b'0')).min(100_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp10 += if eneg { -e } else { e };
    }
    if i != b.len() {
        return None;
    }
    let m = mant as f64;
    // With mant ≤ 2^53, one correctly rounded operation on two exact operands; otherwise m
    // was rounded once already and the result may be an ulp off.
    let v = if mant == 0 {
        0.0
    } else {
        scale10(m, exp10.clamp(-400, 400))
    };
    Some(if neg { -v } else { v })
}

/// `m` × 10^`e`, in steps of the exact powers 10^0..10^22 (`f64::powi` needs std). Within that
/// range one correctly rounded operation; beyond it each step rounds, up to 3 ulps off at
/// 10^±308 (powi was not exact there either).
fn scale10(mut m: f64, mut e: i32) -> f64 {
    while e > 22 {
        m *= POW10[22];
        e -= 22;
    }
    while e < -22 {
        m /= POW10[22];
        e += 22;
    }
    if e >= 0 {
        m * POW10[e as usize]
    } else {
        m / POW10[(-e) as usize]
    }
}

/// Appends `n` as JSON (whole numbers as integers, others in the shortest form that reads back
/// as the same f64); false, with nothing written, when `n` is not finite.
fn write_f64(out: &mut String, n: f64) -> bool {
    if !n.is_finite() {
        return false;
    }
    if n.abs() < MAX_EXACT as f64 && crate::numbers::is_whole(n) {
        if n < 0.0 {
            out.push('-');
        }
        crate::text::push_num(out, n.abs() as u64, 1);
    } else {
        out.push_str(zmij::Buffer::new().format_finite(n));
    }
    true
}

/// Length of the JSON number at the start of `b`, if there is one.
fn number_len(b: &[u8]) -> Option<usize> {
    let digits = |b: &[u8], i: usize| {
        b.get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(b, i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let n = digits(b, i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let n = digits(b, i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    Some(i)
}

// ---- parsing ------------------------------------------------------------------------------------

/// Deeper than any KIS body; a guard against a hostile one exhausting the stack.
const MAX_DEPTH: u32 = 128;

/// Parses a JSON text. None on any syntax error: callers report their own message, naming what
/// was being read.
pub fn parse(text: &str) -> Option<Value> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(v)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.b.get(self.i) == Some(&c);
        self.i += usize::from(hit);
        hit
    }

    fn literal(&mut self, word: &[u8], v: Value) -> Option<Value> {
        let hit = self.b.get(self.i..).is_some_and(|r| r.starts_with(word));
        self.i += word.len();
        hit.then_some(v)
    }

    fn value(&mut self, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.b.get(self.i)? {
            b'{' => {
                let start = self.i;
                self.i += 1;
                let mut map = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.ws();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        map.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Object(Map {
                    entries: map,
                    text: self.text.get(start..self.i).map(Box::from),
                }))
            }
            b'[' => {
                self.i += 1;
                let mut list = Vec::new();
                if !self.eat(b']') {
                    loop {
                        list.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Array(list))
            }
            b'"' => self.string().map(Value::String),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            _ => {
                let n = number_len(self.b.get(self.i..)?)?;
                // ASCII digits and signs: `get` cuts at char boundaries, with no UTF-8 check.
                let text = self.text.get(self.i..self.i + n)?;
                self.i += n;
                Some(Value::Number(Number::from_valid(text)))
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        h.iter()
            .try_fold(0u32, |acc, &c| Some(acc * 16 + char::from(c).to_digit(16)?))
    }

    fn string(&mut self) -> Option<String> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        let first = self.i;
        while !matches!(self.b.get(self.i), None | Some(b'"' | b'\\' | 0..=0x1f)) {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&b'"') {
            // No escapes (every KIS string): one copy, cut at ASCII quotes so no UTF-8 check.
            self.i += 1;
            return self.text.get(first..self.i - 1).map(str::to_string);
        }
        self.i = first;
        let mut out = String::new();
        loop {
            let start = self.i;
            while !matches!(self.b.get(self.i), None | Some(b'"' | b'\\' | 0..=0x1f)) {
                self.i += 1;
            }
            // Cut between ASCII delimiters, so at char boundaries: no UTF-8 check to link.
            out.push_str(self.text.get(start..self.i)?);
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    let c = *self.b.get(self.i + 1)?;
                    self.i += 2;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..).is_some_and(|r| r.starts_with(b"\\u"))
                            {
                                let save = self.i;
                                self.i += 2;
                                match self.hex4()? {
                                    lo @ 0xDC00..=0xDFFF => {
                                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                    }
                                    _ => {
                                        self.i = save;
                                        hi
                                    }
                                }
                            } else {
                                hi
                            };
                            // A lone surrogate (JSON.stringify can write one) has no UTF-8 form.
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return None,
                    };
                    out.push(ch);
                }
                _ => return None, // a raw control character
            }
        }
    }
}

// ---- writing ------------------------------------------------------------------------------------

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // `get`: `i` is at an ASCII byte, so always a boundary, and no panic path is compiled in.
        out.push_str(s.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            out.push_str("\\u00");
            crate::text::push_hex(out, u64::from(b), 2, false);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Appends `snake_case` as `camelCase` (ASCII names only, as Rust field names here are).
pub fn write_camel(out: &mut String, snake: &str) {
    // A word at a time: `String::push` per char was a twentieth of a quote's instructions.
    // Bytes rather than `split('_')`, whose char searcher slices and links core::fmt's panic
    // path; `get` cuts at the ASCII '_', always a char boundary.
    let mut rest = snake;
    let mut first = true;
    loop {
        let end = rest.bytes().position(|b| b == b'_').unwrap_or(rest.len());
        let at = out.len();
        out.push_str(rest.get(..end).unwrap_or_default());
        if !first {
            if let Some(initial) = out.get_mut(at..at + 1) {
                initial.make_ascii_uppercase();
            }
        }
        first = false;
        match rest.get(end + 1..) {
            Some(tail) => rest = tail,
            None => break,
        }
    }
}

/// What can be written as JSON: the results and events handed to JS.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => out.push_str(&n.0),
            Value::String(s) => write_str(out, s),
            Value::Array(a) => a.write_json(out),
            Value::Object(m) => m.write_json(out),
        }
    }
}

impl ToJson for Map {
    fn write_json(&self, out: &mut String) {
        if let Some(text) = &self.text {
            return out.push_str(text);
        }
        let mut o = Obj::new(out);
        for (k, v) in &self.entries {
            o.field(k, v);
        }
        o.end();
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for f64 {
    fn write_json(&self, out: &mut String) {
        if !write_f64(out, *self) {
            out.push_str("null");
        }
    }
}

impl ToJson for u16 {
    fn write_json(&self, out: &mut String) {
        crate::text::push_num(out, u64::from(*self), 1);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        crate::text::push_num(out, u64::from(*self), 1);
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

/// The JSON text of `v`.
pub fn to_string<T: ToJson + ?Sized>(v: &T) -> String {
    // Most results are a few hundred bytes: start there rather than grow through 8, 16, ….
    let mut out = String::with_capacity(512);
    v.write_json(&mut out);
    out
}

/// Writes one object field by field.
pub struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, first: true }
    }

    pub fn field(&mut self, key: &str, v: &dyn ToJson) -> &mut Self {
        self.comma();
        write_str(self.out, key);
        self.out.push(':');
        v.write_json(self.out);
        self
    }

    /// A field named by a Rust `snake_case` name, written in camelCase.
    pub fn camel_field(&mut self, snake: &str, v: &dyn ToJson) -> &mut Self {
        self.comma();
        self.out.push('"');
        write_camel(self.out, snake);
        self.out.push_str("\":");
        v.write_json(self.out);
        self
    }

    /// A field left out when None (an optional property rather than a null one).
    pub fn opt(&mut self, key: &str, v: Option<&dyn ToJson>) -> &mut Self {
        if let Some(v) = v {
            self.field(key, v);
        }
        self
    }

    pub fn end(&mut self) {
        self.out.push('}');
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }
}

/// Native tests and the fake KIS server build values with serde_json's `json!`.
#[cfg(not(target_arch = "wasm32"))]
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        parse(&v.to_string()).expect("serde_json writes valid JSON")
    }
}

/// `json!` for this crate's [`Value`] (native builds; tests import it as `json`).
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
#[macro_export]
macro_rules! json_value {
    ($($t:tt)+) => {
        $crate::json::Value::from(serde_json::json!($($t)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_back() {
        let text =
            r#"{"a":"x\"y\\z\n\u00e9\ud83d\ude00","b":[1,-2.50,3e2,true,false,null],"c":{}}"#;
        let mut v = parse(text).unwrap();
        assert_eq!(v["a"], "x\"y\\z\né😀");
        assert_eq!(v["b"].as_array().unwrap()[1].as_f64(), Some(-2.5));
        // An object nothing changed is written back as it came.
        assert_eq!(v.to_json(), text);
        let spaced = parse(" { \"k\" : [ 1 , {\"j\" : 2} ] } ").unwrap();
        assert_eq!(spaced.to_json(), r#"{ "k" : [ 1 , {"j" : 2} ] }"#);
        // Once changed, it is written key by key: numbers keep their text; strings are
        // escaped as needed, and only as needed.
        if let Value::Object(m) = &mut v {
            m.insert("d", Value::Null);
        }
        assert_eq!(
            v.to_json(),
            r#"{"a":"x\"y\\z\né😀","b":[1,-2.50,3e2,true,false,null],"c":{},"d":null}"#
        );
        // Every way of changing one drops its text.
        for change in [
            |m: &mut Map| m.insert("a", Value::Null),
            |m: &mut Map| drop(m.take("a")),
            |m: &mut Map| m.values_mut().for_each(|v| *v = Value::Null),
        ] {
            let Value::Object(mut m) = parse(r#"{"a" : 1}"#).unwrap() else {
                unreachable!()
            };
            change(&mut m);
            assert_eq!(to_string(&m), r#"{"a":null}"#);
        }
    }

    #[test]
    fn camel_case_uppercases_each_word_after_an_underscore() {
        for (snake, camel) in [
            ("raw", "raw"),
            ("change_rate", "changeRate"),
            ("a_b_c", "aBC"),
            ("a__b", "aB"),
            ("_x", "X"),
            ("", ""),
        ] {
            let mut out = String::from("[");
            write_camel(&mut out, snake);
            assert_eq!(out, format!("[{camel}"));
        }
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "\"\u{1}\"",
            "nul",
            "[1 2]",
            "\"\\x\"",
            "{\"a\" 1}",
            "1 2",
            "NaN",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).is_none());
    }

    #[test]
    fn last_key_wins_and_order_is_kept() {
        let v = parse(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(v["b"].as_f64(), Some(3.0));
        let mut m = Map::new();
        m.insert("z", Value::from("1"));
        m.insert("a", Value::from("2"));
        m.insert("z", Value::from("3"));
        assert_eq!(to_string(&m), r#"{"z":"3","a":"2"}"#);
    }

    /// `s` as a JSON number, if it is exactly one.
    fn number(s: &str) -> Option<Number> {
        match parse(s)? {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    #[test]
    fn numbers_convert_exactly_where_it_matters() {
        for (text, n) in [
            ("0", 0.0),
            ("-0.5", -0.5),
            ("135440.2517", 135440.2517),
            ("1.26", 1.26),
            ("9007199254740991", 9007199254740991.0),
            ("1e3", 1000.0),
            ("2.5E-3", 0.0025),
            ("0.30000000000000004", 0.30000000000000004),
            ("1e400", f64::INFINITY),
        ] {
            assert_eq!(number(text).unwrap().as_f64(), n, "{text}");
        }
        for (n, text) in [
            (70000.0, "70000"),
            (-3.0, "-3"),
            (1.26, "1.26"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(Number::from_f64(n).unwrap().as_str(), text);
        }
        assert!(Number::from_f64(f64::NAN).is_none());
        // Exponents beyond the exact powers of ten (never in a KIS answer): within a few ulps.
        for text in [
            "1e23",
            "1e-23",
            "123456789e-40",
            "4.5e300",
            "1.7976931348623157e308",
            "2.5e-310",
        ] {
            let (got, want) = (number(text).unwrap().as_f64(), text.parse::<f64>().unwrap());
            let ulp = (got.to_bits() as i64 - want.to_bits() as i64).abs();
            assert!(ulp <= 4, "{text}: {got} vs {want}");
        }
        assert!(number("1.2.3").is_none() && number("").is_none() && number("-").is_none());
    }

    /// Random documents through serde_json and back: whatever serde_json writes, this parser
    /// reads, and what this writer writes, serde_json reads as the same document.
    #[test]
    fn round_trips_random_documents_against_serde_json() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        fn doc(next: &mut dyn FnMut(u64) -> u64, depth: u32) -> serde_json::Value {
            const CHARS: &[char] = &[
                'a', 'Z', '0', ' ', '"', '\\', '\n', '\u{1}', 'é', '가', '😀', '/',
            ];
            match next(if depth > 3 { 5 } else { 7 }) {
                0 => serde_json::Value::Null,
                1 => serde_json::Value::Bool(next(2) == 0),
                2 => serde_json::json!(next(1 << 53) as i64 - (1 << 52)),
                3 => serde_json::json!((next(2_000_001) as f64 - 1_000_000.0) / 1e4),
                4 => serde_json::Value::String(
                    (0..next(8))
                        .map(|_| CHARS[next(CHARS.len() as u64) as usize])
                        .collect(),
                ),
                5 => serde_json::Value::Array((0..next(4)).map(|_| doc(next, depth + 1)).collect()),
                _ => serde_json::Value::Object(
                    (0..next(4))
                        .map(|i| (format!("k{i}{}", next(3)), doc(next, depth + 1)))
                        .collect(),
                ),
            }
        }
        for _ in 0..2000 {
            let original = doc(&mut next, 0);
            let text = original.to_string();
            let ours = parse(&text).unwrap_or_else(|| panic!("refused {text}"));
            let back: serde_json::Value = serde_json::from_str(&ours.to_json()).unwrap();
            assert_eq!(back, original, "{text}");
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(to_string("a\u{1}b\tc"), r#""a\u0001b\tc""#);
    }
}

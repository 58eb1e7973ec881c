//! Values across the boundary with serde-wasm-bindgen. Coming in, a caller's value becomes the
//! `serde_json::Value` the core reads its inputs from, with every number finite: JSON has no
//! NaN, and serde_json would have made one `null`, which an order reads as "no price", a
//! market order. First it is copied with every property read through a catching call (a
//! throwing getter is an error naming its field) and `undefined` left out (absent, where `null`
//! is refused). Going out, results become plain JS objects (maps as objects, `None` as null).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, caught: it throws for a revoked proxy, where js-sys's would unwind
    /// through the module.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(v: &JsValue) -> std::result::Result<bool, JsValue>;

    /// `Object.hasOwn`, caught as `is_array` is.
    #[wasm_bindgen(js_namespace = Object, js_name = hasOwn, catch)]
    fn has_own(v: &JsValue, key: &str) -> std::result::Result<bool, JsValue>;

    /// `Reflect.has` (the `in` operator), caught: a proxy's `has` trap may throw.
    #[wasm_bindgen(js_namespace = Reflect, js_name = has, catch)]
    fn has_at_all(v: &JsValue, key: &str) -> std::result::Result<bool, JsValue>;

    /// WHATWG's `URL`, which a caller may well pass where a URL goes (`baseUrl`, a realtime
    /// `url`).
    #[wasm_bindgen(js_name = URL)]
    type Url;
    /// Its `href`, caught: an object given URL's prototype without being one throws.
    #[wasm_bindgen(method, getter, catch)]
    fn href(this: &Url) -> std::result::Result<String, JsValue>;
}

use crate::engine::call::RawReply;
use crate::error::{KisError, Result};
use crate::input::field_at;

/// A caller's value as JSON data; `scope` names it in an error ("order", "options").
pub fn from_js(scope: &str, v: JsValue) -> Result<Value> {
    // Most arguments are a symbol: a string reads as itself, with nothing to walk.
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    from_js_without(scope, v, &[])
}

/// A field whose absence makes the call do more than one that names it: an order with no price
/// is a market order, a cancel or modification with no quantity takes all that is left. Written
/// but `undefined` (`price: quote.askPrice` of a field that is not there, or of a row not yet
/// loaded), it is a value gone missing, not a wish to buy at any price, and is refused, where
/// any other option reads `undefined` as absent. `unless` names the field that says the same
/// in so many words (`orderType`), beside which it is taken as absent.
pub struct Widening {
    pub key: &'static str,
    pub unless: Option<&'static str>,
    /// What a caller who meant the wider call writes instead.
    pub say: &'static str,
}

/// An order's price: a market order leaves it out, or says its type.
pub const ORDER_PRICE: Widening = Widening {
    key: "price",
    unless: Some("orderType"),
    say: "a limit order gives a number; a market order leaves price out, or says orderType \"01\"",
};

/// A cancel's or modification's quantity: all that is left is said "all", or left out.
pub const CHANGE_QUANTITY: Widening = Widening {
    key: "quantity",
    unless: None,
    say: "a part gives a number; the whole remaining quantity leaves quantity out, or says \"all\"",
};

/// The fields of argument type `T` by the names a caller writes, as serde lists them.
pub fn fields<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    serde_aux::serde_introspection::serde_introspect::<T>()
}

/// `scope`'s argument as JSON data, an object of a type whose fields are `fields` (serde's list
/// of them, `serde_introspect`). The snapshot reads own properties only, so a field the argument
/// has but not as its own (a class's getter over a private field, a prototype's) would be left
/// out: a default taken in its place with nothing said (`get period()` read as daily bars), or
/// `new LimitOrder(…)`'s price as a market order. Such a field is refused by name, and so is
/// `widening` written but `undefined`.
pub fn from_js_of(
    scope: &str,
    v: JsValue,
    fields: &[&str],
    widening: Option<&Widening>,
) -> Result<Value> {
    from_js_of_without(scope, v, &[], fields, widening)
}

/// The same, without the top-level keys `skip` (the options the binding takes as JS values,
/// read inherited or not).
pub fn from_js_of_without(
    scope: &str,
    v: JsValue,
    skip: &[&str],
    fields: &[&str],
    widening: Option<&Widening>,
) -> Result<Value> {
    let value = from_js_without(scope, v.clone(), skip)?;
    if !value.is_object() {
        return Ok(value);
    }
    let said = |key: &str| value.get(key).is_some();
    for &key in fields.iter().filter(|&&k| !said(k) && !skip.contains(&k)) {
        let field = format!("{scope}.{key}");
        // `in` first: a field left out is, almost always, not there at all.
        match has_at_all(&v, key) {
            Ok(false) => continue,
            Err(e) => {
                return Err(KisError::validation(
                    &field,
                    format!("could not be read (the `in` check threw: {})", thrown(&e)),
                ))
            }
            Ok(true) => {}
        }
        let widens = widening.filter(|w| w.key == key && !w.unless.is_some_and(said));
        let why = match has_own(&v, key) {
            // The snapshot read every own key, so one it left out held `undefined`: absent,
            // but for the field whose absence widens the call.
            Ok(true) => match widens {
                Some(_) => "is undefined",
                None => continue,
            },
            _ => {
                "is not the argument's own property (a class's getter, or a prototype's), and \
                 only own properties are read: pass a plain object"
            }
        };
        let message = match widens {
            Some(w) => format!("{why}: {}", w.say),
            None => why.to_string(),
        };
        return Err(KisError::validation(&field, message));
    }
    Ok(value)
}

/// The same, without the top-level keys `skip` (the options the binding takes as JS values).
pub fn from_js_without(scope: &str, v: JsValue, skip: &[&str]) -> Result<Value> {
    let v = snapshot(&v, scope, skip, 0).map_err(|e| match e.message.contains(TOO_DEEP) {
        // A cycle, or data no caller means to send: said of the whole argument, as its path
        // would be as long as the nesting.
        true => KisError::validation(scope, TOO_DEEP),
        false => e,
    })?;
    let d = serde_wasm_bindgen::Deserializer::from(v);
    let mut track = serde_path_to_error::Track::new();
    Finite
        .deserialize(serde_path_to_error::Deserializer::new(d, &mut track))
        .map_err(|e| {
            // serde-wasm-bindgen's errors are JS errors, printed with their "Error: ".
            let message = e.to_string();
            let message = message.strip_prefix("Error: ").unwrap_or(&message);
            KisError::validation(&field_at(scope, &track.path()), message)
        })
}

/// A result as a plain JS value, crossing as JSON text that the JS engine's `JSON.parse`
/// reads: one string for the whole result, where serde-wasm-bindgen's serializer makes a call
/// into JS for every key and value (a quote's `raw` has 81; measured in ARCHITECTURE.md).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    parsed(serde_json::to_string(v).ok().as_deref())
}

/// `request()`'s and `call()`'s answer, which may be megabytes: its body is parsed by JS's
/// `JSON.parse` from KIS's own text where it lies in the wasm memory, and nothing is written
/// out again (issue 17's memory figure); `status` and `trCont` come first, as in `RawReply`.
pub fn raw_to_js(reply: &RawReply) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Head<'a> {
        status: u16,
        tr_cont: &'a str,
    }
    let head = to_js(&Head {
        status: reply.status,
        tr_cont: &reply.tr_cont,
    });
    let body = parsed(Some(&reply.body.text()));
    // A plain object's own new key: cannot throw.
    let _ = js_sys::Reflect::set(&head, &JsValue::from_str("body"), &body);
    head
}

/// JSON text as the JS value it writes. Every result is made of strings, finite numbers,
/// booleans, nulls, arrays and string-keyed maps, all of which JSON writes and JSON.parse reads,
/// and a raw reply's body is KIS's text already read as a JSON object, so this cannot fail.
/// Apart from `to_js`, which is built once for each type it writes.
fn parsed(text: Option<&str>) -> JsValue {
    text.and_then(|text| js_sys::JSON::parse(text).ok())
        .unwrap_or(JsValue::NULL)
}

/// A copy of `v` in which every property has been read once, through a call that catches: a
/// getter that throws becomes a validation error naming its field, where it would otherwise
/// unwind through the module. Keys whose value is `undefined` are left out, so that they read
/// as absent, while `null` stays, to be refused where it would be taken for absent
/// (`price: null`). Objects are copied by their own string keys, arrays by index.
fn snapshot(v: &JsValue, at: &str, skip: &[&str], depth: usize) -> Result<JsValue> {
    // Said here, in a caller's words, where serde-wasm-bindgen would print its own debug form.
    let not_data = match (v.is_function(), v.is_symbol()) {
        (true, _) => Some("a function"),
        (_, true) => Some("a symbol"),
        _ => None,
    };
    if let Some(what) = not_data {
        return Err(KisError::validation(
            at,
            format!("must be a string, a number, true or false, an array or an object, got {what}"),
        ));
    }
    // A URL reads as its text, as `fetch` and `new WebSocket` read one; it has no own
    // properties, so as an object it would read as `{}`.
    if v.is_instance_of::<Url>() {
        return match v.unchecked_ref::<Url>().href() {
            Ok(href) => Ok(JsValue::from_str(&href)),
            Err(e) => Err(KisError::validation(
                at,
                format!("could not be read (its href threw: {})", thrown(&e)),
            )),
        };
    }
    // A BigInt reads as the number it is while a double holds it exactly. serde-wasm-bindgen
    // would take one up to u64::MAX, rounded to the nearest double (an error then quoting a
    // number the caller never wrote), and refuse a larger one in Rust's words.
    if v.is_bigint() {
        return match i64::try_from(v.clone()) {
            Ok(n) if n.unsigned_abs() <= MAX_SAFE_INTEGER => Ok(JsValue::from_f64(n as f64)),
            _ => Err(KisError::validation(
                at,
                "must be a number, got a BigInt past Number.MAX_SAFE_INTEGER",
            )),
        };
    }
    if !v.is_object() {
        return Ok(v.clone());
    }
    // A Map's or a Set's entries and a Date's time are no own properties: each would read as
    // `{}`, an order "without" its symbol, a date "an object". Said as what they are.
    let built_in = match () {
        _ if v.is_instance_of::<js_sys::Map>() => {
            Some(("a Map", "a plain object (Object.fromEntries(map))"))
        }
        _ if v.is_instance_of::<js_sys::Set>() => Some(("a Set", "an array ([...set])")),
        _ if v.is_instance_of::<js_sys::Date>() => Some(("a Date", "its text (\"2026-12-01\")")),
        _ => None,
    };
    if let Some((what, instead)) = built_in {
        return Err(KisError::validation(
            at,
            format!("must be a string, a number, true or false, an array or a plain object, got {what}: pass {instead}"),
        ));
    }
    if depth > MAX_DEPTH {
        return Err(KisError::validation(at, TOO_DEEP));
    }
    let read = |key: &JsValue, field: &str| {
        js_sys::Reflect::get(v, key).map_err(|e| {
            KisError::validation(
                field,
                format!(
                    "could not be read (its getter threw: {})",
                    message(&e).unwrap_or_default()
                ),
            )
        })
    };
    let array = is_array(v).map_err(|e| {
        KisError::validation(
            at,
            format!(
                "could not be read (Array.isArray threw: {})",
                message(&e).unwrap_or_default()
            ),
        )
    })?;
    if array {
        let items = js_sys::Array::new();
        let len = js_sys::Reflect::get(v, &JsValue::from_str("length"))
            .ok()
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0) as u32;
        for i in 0..len {
            let field = format!("{at}[{i}]");
            let item = read(&JsValue::from(i), &field)?;
            items.push(&snapshot(&item, &field, &[], depth + 1)?);
        }
        return Ok(items.into());
    }
    let copy = js_sys::Object::new();
    let keys = js_sys::Reflect::own_keys(v)
        .map_err(|_| KisError::validation(at, "its keys could not be listed"))?;
    for key in keys.iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        if depth == 0 && skip.contains(&name.as_str()) {
            continue;
        }
        let field = format!("{at}.{name}");
        let value = read(&key, &field)?;
        if !value.is_undefined() {
            let value = snapshot(&value, &field, &[], depth + 1)?;
            // Setting a property of a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&copy, &key, &value);
        }
    }
    Ok(copy.into())
}

/// What a thrown JS value says of itself: its `message`, when that is a string.
pub fn message(e: &JsValue) -> Option<String> {
    js_sys::Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
}

/// What the caller's code threw, in words for a log line: its message, or that it was not an
/// `Error`.
pub fn thrown(e: &JsValue) -> String {
    message(e).unwrap_or_else(|| "a value that is not an Error".to_string())
}

const TOO_DEEP: &str = "cannot be converted to JSON (nested too deeply, or a cycle)";
const MAX_DEPTH: usize = 32;
/// 2^53 − 1: past it, not every whole number is a double.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// serde_json's value, but a number that is not finite is refused rather than made null. (The
/// snapshot it reads has bounded nesting and no cycles.)
#[derive(Clone, Copy)]
struct Finite;

impl<'de> DeserializeSeed<'de> for Finite {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Finite {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON data")
    }
    /// `null` (and `undefined` in an array; the snapshot drops it from objects).
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, b: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> std::result::Result<Value, E> {
        Number::from_f64(n).map(Value::Number).ok_or_else(|| {
            let js = match n {
                n if n.is_nan() => "NaN",
                n if n > 0.0 => "Infinity",
                _ => "-Infinity",
            };
            E::custom(format!("must be a finite number, got {js}"))
        })
    }
    fn visit_str<E>(self, s: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> std::result::Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Finite)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(Finite)?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

//! Values across the boundary with serde-wasm-bindgen. Coming in, a caller's value becomes the
//! `serde_json::Value` the core reads its inputs from, with every number finite: JSON has no
//! NaN, and serde_json would have made one `null`, which an order reads as "no price", a
//! market order. Going out, results become plain JS objects (maps as objects, `None` as null).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::JsValue;

use crate::error::{KisError, Result};
use crate::input::field_at;

/// A caller's value as JSON data; `scope` names it in an error ("order", "options").
pub fn from_js(scope: &str, v: JsValue) -> Result<Value> {
    let d = serde_wasm_bindgen::Deserializer::from(v);
    let mut track = serde_path_to_error::Track::new();
    match Finite(0).deserialize(serde_path_to_error::Deserializer::new(d, &mut track)) {
        Ok(v) => Ok(v),
        // A cycle, or data no caller means to send: said of the whole argument, as its path
        // would be as long as the nesting.
        Err(e) if e.to_string().contains(TOO_DEEP) => Err(KisError::validation(scope, TOO_DEEP)),
        Err(e) => Err(KisError::validation(&field_at(scope, &track.path()), e)),
    }
}

/// A result as a plain JS value.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    // Every result is made of strings, numbers, booleans, nulls, arrays and string-keyed maps,
    // all of which have a JS value, so this cannot fail.
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

const TOO_DEEP: &str = "cannot be converted to JSON (nested too deeply, or a cycle)";
const MAX_DEPTH: usize = 32;

/// serde_json's value, but a number that is not finite is refused rather than made null, and
/// nesting is bounded (a cyclic object would recurse until the stack ran out). The number is
/// the depth.
#[derive(Clone, Copy)]
struct Finite(usize);

impl<'de> DeserializeSeed<'de> for Finite {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        if self.0 > MAX_DEPTH {
            return Err(de::Error::custom(TOO_DEEP));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Finite {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON data")
    }
    /// `undefined`: null, which every input reads as absent.
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
        Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("must be a finite number, got {n}")))
    }
    fn visit_str<E>(self, s: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> std::result::Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Finite(self.0 + 1))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(Finite(self.0 + 1))?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

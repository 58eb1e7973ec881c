//! Reading caller input into the types of [`crate::inputs`] with serde, with errors that name the
//! field (`order.quantity`) and refuse unknown keys, so that a typo does not silently fall back
//! to a default. The binding hands the core the caller's value as a `serde_json::Value` whose
//! numbers are all finite (`wasm::convert` refuses the rest by name), so native tests and the
//! package read input the same way.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::Value;

use crate::error::{KisError, Result};

/// `v` read as a `T`; an error names `scope` and the path within it.
pub fn read<T: DeserializeOwned>(scope: &str, v: &Value) -> Result<T> {
    serde_path_to_error::deserialize(Strict(v)).map_err(|e| input_error(scope, v, e))
}

/// A caller's value read as serde reads a `Value`, except that an object of the API must be
/// an object. serde's derive also takes an array for a struct, its fields in the order they
/// are declared: `buy(["005930", 10])` would be a market order for 10 shares, and a caller who
/// wrote the price before the quantity would buy the price's number of shares.
struct Strict<'a>(&'a Value);

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        match self.0 {
            Value::Object(fields) => visitor.visit_map(Fields {
                fields: fields.iter(),
                value: None,
            }),
            other => Err(serde_json::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// A struct's fields, each value read strictly in turn (a struct within one is an object too).
struct Fields<'a> {
    fields: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> serde_json::Result<Option<K::Value>> {
        let Some((key, value)) = self.fields.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> serde_json::Result<S::Value> {
        match self.value.take() {
            Some(value) => seed.deserialize(Strict(value)),
            None => Err(serde_json::Error::custom(
                "a value asked for before its key",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

/// What a value is, as serde's errors say it (serde_json's own is private). Handing the other
/// values to `Value::deserialize_struct` instead would build serde_json's struct reader, arrays
/// and all, for every struct read: the reading this deserializer exists to leave out.
fn unexpected(v: &Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (_, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Why `v` did not read, in a caller's words. Apart from `read`, which is built once for each
/// type it reads, so that this is built only once.
fn input_error(
    scope: &str,
    v: &Value,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> KisError {
    // A required argument left out reaches here as null (JS's undefined too): it is missing,
    // where "must be a string, got null" would send the caller looking for a null.
    if v.is_null() {
        return KisError::validation(scope, "is required");
    }
    let message = e.inner().to_string();
    let field = field_at(scope, e.path());
    // serde says a missing field at its struct's path, and which one in the message.
    if let Some(name) = between(&message, "missing field `", "`") {
        return KisError::validation(&format!("{field}.{name}"), "is required");
    }
    KisError::validation(&field, plain(&message))
}

/// The name of the field at `path` within the argument `scope` ("order", "order.price").
pub fn field_at(scope: &str, path: &serde_path_to_error::Path) -> String {
    match path.to_string().as_str() {
        "." => scope.to_string(),
        path => format!("{scope}.{path}"),
    }
}

/// The text between `open` and the next `close`, when `text` starts with `open`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(open)?;
    rest.find(close).map(|end| &rest[..end])
}

/// serde's wording, said to a caller: "invalid type: integer `5930`, expected a string" →
/// "must be a string, got the number 5930"; an unknown field's list of known ones is kept.
fn plain(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            return format!(
                "must be {}, got {}",
                expected_phrase(expected),
                got_phrase(got)
            );
        }
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((_, known)) = rest.split_once(", expected ") {
            return format!(
                "unknown option (expected {})",
                known.replace("one of ", "one of: ")
            );
        }
        return "unknown option".to_string();
    }
    message.to_string()
}

/// serde's names of the Rust types, in JS's words.
fn expected_phrase(expected: &str) -> &str {
    match expected {
        "f64" | "u64" | "u32" | "i64" => "a number",
        "a boolean" => "true or false",
        "a sequence" => "an array",
        "a map" => "an object",
        e if e.starts_with("struct ") => "an object",
        e => e,
    }
}

/// What serde says it was given (`integer `5930``, `map`, `sequence`), in JS's words: a caller
/// who passed a `Date` or an array is told "an object" or "an array", not "map" or "sequence".
fn got_phrase(got: &str) -> String {
    let quoted = |kind: &str| {
        got.strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix(" `"))
            .and_then(|rest| rest.strip_suffix('`'))
    };
    if let Some(n) = quoted("integer").or_else(|| quoted("floating point")) {
        return format!("the number {n}");
    }
    if let Some(b) = quoted("boolean") {
        return b.to_string();
    }
    match got {
        "map" => "an object".to_string(),
        "sequence" => "an array".to_string(),
        "unit value" => "null".to_string(),
        _ => match got.strip_prefix("string ") {
            Some(text) => format!("the string {text}"),
            None => got.to_string(),
        },
    }
}

/// A JSON number that must be a whole count (shares, milliseconds, …) from `min` to `max`.
pub fn whole_number(field: &str, n: f64, min: f64, max: f64) -> Result<u64> {
    let rule = if !n.is_finite() || n.fract() != 0.0 {
        "must be a whole number".to_string()
    } else if n < min {
        format!("must be at least {}", js_number(min))
    } else if n > max {
        format!("must be at most {}", js_number(max))
    } else {
        return Ok(n as u64);
    };
    Err(KisError::validation(
        field,
        format!("{rule}, got {}", js_number(n)),
    ))
}

/// `n` as the caller's JS prints it (`String(n)`): Rust's `{}` never switches to an exponent,
/// so a quantity of `1e300` would fill an error message with three hundred digits, and `1e-9`
/// milliseconds would read as `0.000000001`.
pub fn js_number(n: f64) -> String {
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let size = n.abs();
    if n == 0.0 || (1e-6..1e21).contains(&size) || size.is_nan() {
        // -0 prints as 0 in JS.
        return format!("{}", if n == 0.0 { 0.0 } else { n });
    }
    // serde_json's float writer already writes these as JS does (its writers have differed on
    // the exponent's `+`); Rust's own `{:e}` would add a second float formatter to the wasm.
    let text = serde_json::Number::from_f64(n).map_or_else(|| n.to_string(), |n| n.to_string());
    match text.split_once('e') {
        Some((digits, exp)) if !exp.starts_with(['-', '+']) => format!("{digits}e+{exp}"),
        _ => text,
    }
}

/// For an `Option` field where `null` is a mistake rather than "absent": a missing field is
/// `None` (with `#[serde(default)]`), and `null` is read as a `T`, so it is refused as the wrong
/// type ("must be a string, got null"). `price: null` is not a market order, nor `env: null`
/// the default environment.
pub fn not_null<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The largest integer a JS number holds exactly.
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::{KisClientOptions, OrderInput};
    use serde_json::json;

    #[test]
    fn b6_errors_name_the_field() {
        let e = read::<OrderInput>("order", &json!({"symbol": 5930, "quantity": 3})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.symbol"));
        assert!(e.message.contains("must be a string"), "{}", e.message);
        let e =
            read::<OrderInput>("order", &json!({"symbol": "005930", "quantity": "3"})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.quantity"));
        assert!(e.message.contains("must be a number"), "{}", e.message);
        let e = read::<OrderInput>("order", &json!({"symbol": "005930"})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.quantity"));
        assert_eq!(e.message, "order.quantity: is required");
        let e = read::<String>("symbol", &json!(5930)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("symbol"));
    }

    #[test]
    fn b6_numbers_are_said_as_js_prints_them() {
        assert_eq!(js_number(1e300), "1e+300");
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(
            js_number(123_456_789_012_345_680_000.0),
            "123456789012345680000"
        );
        assert_eq!(js_number(1.5e-7), "1.5e-7");
        assert_eq!(js_number(0.000_001), "0.000001");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(-5.0), "-5");
        assert_eq!(js_number(70_000.5), "70000.5");
        assert_eq!(js_number(f64::NAN), "NaN");
        assert_eq!(js_number(f64::NEG_INFINITY), "-Infinity");
        let e = whole_number("order.quantity", 1e300, 1.0, 9_999_999_999.0).unwrap_err();
        assert_eq!(
            e.message,
            "order.quantity: must be at most 9999999999, got 1e+300"
        );
        let e = whole_number("intervalMs", 1e-9, 1.0, 1e22).unwrap_err();
        assert_eq!(e.message, "intervalMs: must be a whole number, got 1e-9");
        let e = whole_number("options.pages", -0.0, 1.0, 14.0).unwrap_err();
        assert_eq!(e.message, "options.pages: must be at least 1, got 0");
    }

    #[test]
    fn b6_what_was_given_instead_is_said_in_js_words() {
        let said = |v: Value| {
            read::<OrderInput>("order", &json!({"symbol": v, "quantity": 1}))
                .unwrap_err()
                .message
                .clone()
        };
        assert_eq!(
            said(json!(5930)),
            "order.symbol: must be a string, got the number 5930"
        );
        assert_eq!(
            said(json!(1.5)),
            "order.symbol: must be a string, got the number 1.5"
        );
        assert_eq!(
            said(json!({})),
            "order.symbol: must be a string, got an object"
        );
        assert_eq!(
            said(json!(["005930"])),
            "order.symbol: must be a string, got an array"
        );
        assert_eq!(
            said(json!(true)),
            "order.symbol: must be a string, got true"
        );
        let e =
            read::<OrderInput>("order", &json!({"symbol": "005930", "quantity": "3"})).unwrap_err();
        assert_eq!(
            e.message,
            "order.quantity: must be a number, got the string \"3\""
        );
        let e = read::<OrderInput>("order", &json!([1])).unwrap_err();
        assert_eq!(e.message, "order: must be an object, got an array");
    }

    #[test]
    fn b6_an_object_of_the_api_is_never_read_from_an_array() {
        // serde's derive would read these field by field: a market order for 10 shares.
        let e = read::<OrderInput>("order", &json!(["005930", 10])).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order"));
        assert!(e.message.ends_with("must be an object, got an array"));
        let e = read::<KisClientOptions>("options", &json!({"retry": [2, 1000]})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("options.retry"));
        assert!(e.message.ends_with("must be an object, got an array"));
        // Within an object, what is no struct reads as before, nested objects included.
        let o = json!({"appKey": "k", "retry": {"serverErrors": 1}, "timeoutMs": 5000});
        let o = read::<KisClientOptions>("options", &o).unwrap();
        assert_eq!(o.retry.and_then(|r| r.server_errors), Some(1.0));
        assert_eq!(o.timeout_ms, Some(5000.0));
    }

    #[test]
    fn b6_a_required_argument_left_out_is_required_not_mistyped() {
        let e = read::<String>("symbol", &Value::Null).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("symbol"));
        assert_eq!(e.message, "symbol: is required");
        let e = read::<OrderInput>("order", &Value::Null).unwrap_err();
        assert_eq!(e.message, "order: is required");
        // Left out where it may be, it is simply absent.
        assert_eq!(
            read::<Option<String>>("options", &Value::Null).unwrap(),
            None
        );
    }

    #[test]
    fn b6_null_is_refused_where_it_would_read_as_absent() {
        let e = read::<OrderInput>(
            "order",
            &json!({"symbol": "005930", "quantity": 1, "price": null}),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.price"));
        assert!(e.message.contains("got null"), "{}", e.message);
        for (options, field) in [
            (json!({"env": null}), "options.env"),
            (json!({"timeoutMs": null}), "options.timeoutMs"),
            (json!({"retry": {"delayMs": null}}), "options.retry.delayMs"),
        ] {
            let e = read::<KisClientOptions>("options", &options).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{options}");
        }
        assert!(read::<KisClientOptions>("options", &json!({"logger": null})).is_ok());
        assert!(read::<OrderInput>("order", &json!({"symbol": "005930", "quantity": 1})).is_ok());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e =
            read::<OrderInput>("order", &json!({"symbl": "005930", "quantity": 1})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.symbl"));
        let e = read::<KisClientOptions>("options", &json!({"retry": {"tries": 1}})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("options.retry.tries"));
        assert!(e.message.contains("serverErrors"), "{}", e.message);
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole_number("q", 3.0, 1.0, MAX_SAFE).unwrap(), 3);
        assert!(whole_number("q", 0.0, 1.0, MAX_SAFE).is_err());
        assert!(whole_number("q", 1.5, 1.0, MAX_SAFE).is_err());
        assert!(whole_number("q", f64::NAN, 1.0, MAX_SAFE).is_err());
        assert!(whole_number("q", f64::INFINITY, 1.0, MAX_SAFE).is_err());
        assert!(whole_number("q", -2.0, 1.0, MAX_SAFE).is_err());
        let e = whole_number("q", 1e10, 1.0, 1e9).unwrap_err();
        assert!(e.message.contains("at most"), "{}", e.message);
    }
}

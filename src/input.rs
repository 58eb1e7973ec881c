//! Reading caller input into the types of [`crate::inputs`] with serde, with errors that name the
//! field (`order.quantity`) and refuse unknown keys, so that a typo does not silently fall back
//! to a default. The binding hands the core the caller's value as a `serde_json::Value` whose
//! numbers are all finite (`wasm::convert` refuses the rest by name), so native tests and the
//! package read input the same way.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{KisError, Result};

/// `v` read as a `T`; an error names `scope` and the path within it.
pub fn read<T: DeserializeOwned>(scope: &str, v: &Value) -> Result<T> {
    serde_path_to_error::deserialize(v).map_err(|e| input_error(scope, v, e))
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
/// "must be a string, got integer `5930`"; an unknown field's list of known ones is kept.
fn plain(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            return format!("must be {}, got {got}", expected_phrase(expected));
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
        e if e.starts_with("struct ") => "an object",
        e => e,
    }
}

/// A JSON number that must be a whole count (shares, milliseconds, …) from `min` to `max`.
pub fn whole_number(field: &str, n: f64, min: f64, max: f64) -> Result<u64> {
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(KisError::validation(
            field,
            format!("must be a whole number, got {n}"),
        ));
    }
    if n < min {
        return Err(KisError::validation(
            field,
            format!("must be at least {min}, got {n}"),
        ));
    }
    if n > max {
        return Err(KisError::validation(
            field,
            format!("must be at most {max}, got {n}"),
        ));
    }
    Ok(n as u64)
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

//! Reading caller-supplied option objects (plain JSON here, a JS object in the wasm layer) with
//! errors that name the field, and refusing unknown keys so a typo does not silently fall back to
//! a default.

use crate::prelude::*;

use crate::json::{Map, Value};

use crate::error::{KisError, Result};

/// `v` as a string, or an error naming `field`.
pub fn string_arg<'a>(field: &str, v: &'a Value) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| KisError::validation(field, cat!["must be a string, got ", type_name(v)]))
}

pub struct Fields<'a> {
    /// Prefix for field names in errors ("options", "order", …).
    scope: &'a str,
    map: Option<&'a Map>,
}

impl<'a> Fields<'a> {
    /// `value` must be an object, or null/absent when `optional`.
    pub fn new(scope: &'a str, value: &'a Value, known: &[&str], optional: bool) -> Result<Self> {
        let map = match value {
            Value::Object(m) => Some(m),
            Value::Null if optional => None,
            _ => {
                return Err(KisError::validation(
                    scope,
                    cat!["must be an object, got ", type_name(value)],
                ))
            }
        };
        if let Some(m) = map {
            if let Some(k) = m.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(KisError::validation(
                    &cat![scope, ".", k],
                    cat!["unknown option (known: ", list(known), ")"],
                ));
            }
        }
        Ok(Fields { scope, map })
    }

    pub fn name(&self, key: &str) -> String {
        cat![self.scope, ".", key]
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map?.get(key).filter(|v| !v.is_null())
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(KisError::validation(
                &self.name(key),
                cat!["must be a string, got ", type_name(v)],
            )),
        }
    }

    pub fn str(&self, key: &str) -> Result<&'a str> {
        self.opt_str(key)?
            .ok_or_else(|| KisError::validation(&self.name(key), "is required"))
    }

    pub fn opt_number(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(n.as_f64())),
            Some(v) => Err(KisError::validation(
                &self.name(key),
                cat!["must be a number, got ", type_name(v)],
            )),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(KisError::validation(
                &self.name(key),
                cat!["must be true or false, got ", type_name(v)],
            )),
        }
    }

    pub fn opt_value(&self, key: &str) -> Option<&'a Value> {
        self.get(key)
    }
}

/// "a, b, c" (`join`, without the generic code it compiles to).
fn list(items: &[&str]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(item);
    }
    out
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A number as JSON writes it ("1.5", "-2"), without pulling core's float formatting into the
/// wasm.
fn show(n: f64) -> String {
    crate::json::Number::from_f64(n).map_or_else(
        || "a non-finite number".to_string(),
        |x| x.as_str().to_string(),
    )
}

/// A JSON number that must be a whole count (shares, milliseconds, …).
pub fn whole_number(field: &str, n: f64, min: f64) -> Result<u64> {
    if !n.is_finite() || !crate::numbers::is_whole(n) {
        return Err(KisError::validation(
            field,
            cat!["must be a whole number, got ", show(n)],
        ));
    }
    if n < min {
        return Err(KisError::validation(
            field,
            cat!["must be at least ", show(min), ", got ", show(n)],
        ));
    }
    if n > 9_007_199_254_740_991.0 {
        return Err(KisError::validation(field, "is too large"));
    }
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_value as json;

    #[test]
    fn b6_errors_name_the_field() {
        let v = json!({"symbol": 5930, "quantity": "3"});
        let f = Fields::new("order", &v, &["symbol", "quantity"], false).unwrap();
        let e = f.str("symbol").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.symbol"));
        assert!(e.message.contains("must be a string"), "{}", e.message);
        let e = f.opt_number("quantity").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order.quantity"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let v = json!({"symbl": "005930"});
        let e = Fields::new("order", &v, &["symbol"], false).err().unwrap();
        assert_eq!(e.field.as_deref(), Some("order.symbl"));
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole_number("q", 3.0, 1.0).unwrap(), 3);
        assert!(whole_number("q", 0.0, 1.0).is_err());
        assert!(whole_number("q", 1.5, 1.0).is_err());
        assert!(whole_number("q", f64::NAN, 1.0).is_err());
        assert!(whole_number("q", -2.0, 1.0).is_err());
    }
}

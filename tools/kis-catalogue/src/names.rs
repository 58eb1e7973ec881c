//! Method names and titles. The naming rule itself is the package's
//! (`kis_wasm::catalogue::method_name`), so that the converter and the client can never disagree;
//! here it is applied, and a workbook where two APIs would share a name is refused.

use std::collections::HashMap;

use crate::{err, Error, RestApi};

/// The path's words as a title: `domestic stock · inquire asking price exp ccn`.
pub fn title(path: &str) -> String {
    let segs: Vec<&str> = path.trim_start_matches("/uapi/").split('/').collect();
    let words = |s: &[&str]| -> String {
        s.iter()
            .flat_map(|s| s.split(['-', '_']))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "{} · {}",
        words(&segs[..1]),
        words(segs.get(3..).unwrap_or_default())
    )
}

/// Names every API; fails if the rule gives two the same name.
pub fn assign(apis: &mut [RestApi]) -> Result<(), Error> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for a in apis.iter_mut() {
        a.name = kis_wasm::catalogue::method_name(&a.path);
        if let Some(other) = seen.insert(a.name.clone(), a.path.clone()) {
            if other != a.path {
                return Err(err(format!(
                    "{other} and {} would both be named {}: extend the naming rule \
                     (kis_wasm::catalogue::method_name)",
                    a.path, a.name
                )));
            }
        }
    }
    Ok(())
}

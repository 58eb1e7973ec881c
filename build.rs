//! Generates the endpoint table the generic call path reads (`src/catalogue.rs`) from the
//! committed catalogue, `catalogue/kis-api.json`: one line an API, only what a call needs —
//! `method|path|real TR IDs|mock TR IDs or -|params` with `!` before a required parameter
//! and `:condition` after a TR ID of several. Field layouts stay out of the wasm (they are types),
//! but for the realtime frames' columns, which a parser needs in order (`realtime.txt`).

use std::fmt::Write as _;

fn main() {
    let source = "catalogue/kis-api.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("catalogue/kis-api.json");
    let catalogue: serde_json::Value = serde_json::from_str(&text).expect("the catalogue is JSON");
    let str_of = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let ids = |list: &serde_json::Value| -> String {
        let list = list.as_array().cloned().unwrap_or_default();
        let several = list.len() > 1;
        list.iter()
            .map(|t| {
                let when = str_of(&t["when"]).replace(['|', ' ', '\n'], "_");
                match several && !when.is_empty() {
                    true => format!("{}:{when}", str_of(&t["id"])),
                    false => str_of(&t["id"]),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    // "-" where KIS does not offer the API or TR in its mock environment.
    let mock_ids = |list: &serde_json::Value| match list {
        serde_json::Value::Null => "-".to_string(),
        list => ids(list),
    };
    let mut table = String::new();
    for api in catalogue["rest"].as_array().expect("rest") {
        let params: Vec<String> = api["request"]
            .as_array()
            .expect("request")
            .iter()
            .map(|f| {
                let bang = if f["required"] == true { "!" } else { "" };
                format!("{bang}{}", str_of(&f["name"]))
            })
            .collect();
        writeln!(
            table,
            "{}|{}|{}|{}|{}",
            str_of(&api["method"]),
            str_of(&api["path"]),
            ids(&api["trIds"]["real"]),
            mock_ids(&api["trIds"]["mock"]),
            params.join(",")
        )
        .unwrap();
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("endpoints.txt"), table).unwrap();
    // The realtime TRs: `TR|mock TR or -|column,column,…`, the columns of a data frame in order,
    // in lower case, as the records are keyed (as KIS's REST answers are).
    let mut realtime = String::new();
    for tr in catalogue["realtime"].as_array().expect("realtime") {
        let columns: Vec<String> = tr["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|f| str_of(&f["name"]).to_ascii_lowercase())
            .collect();
        writeln!(
            realtime,
            "{}|{}|{}",
            ids(&tr["trIds"]["real"]),
            mock_ids(&tr["trIds"]["mock"]),
            columns.join(",")
        )
        .unwrap();
    }
    std::fs::write(out.join("realtime.txt"), realtime).unwrap();
}

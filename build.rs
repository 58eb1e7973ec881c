//! Generates the endpoint table the generic call path reads (`src/catalogue.rs`) from the
//! committed catalogue, `catalogue/kis-api.json`: one line an API, only what a call needs —
//! `method|path|real TR IDs|mock TR IDs or -|params` with `!` before a required parameter
//! and `:condition` after a TR ID of several. Field layouts stay out of the wasm (they are types),
//! but for the realtime frames' columns, which a parser needs in order (`realtime.txt`). And the
//! order books B5 looks lost orders up in, from `catalogue/order-books.json`, as Rust tables.

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
    order_books(&out);
}

/// `catalogue/order-books.json` as the Rust tables `src/order_books.rs` declares the types of.
fn order_books(out: &std::path::Path) {
    let source = "catalogue/order-books.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("catalogue/order-books.json");
    let data: serde_json::Value = serde_json::from_str(&text).expect("the order books are JSON");
    // String values as Rust literals ({:?} escapes them).
    let s = |v: &serde_json::Value| format!("{:?}", v.as_str().unwrap_or_default());
    let list = |v: &serde_json::Value| {
        let items: Vec<String> = v.as_array().into_iter().flatten().map(s).collect();
        format!("&[{}]", items.join(", "))
    };
    // An object of strings as a slice of (name, value) pairs; none where it is absent.
    let pairs = |v: &serde_json::Value| {
        let items: Vec<String> = (v.as_object().into_iter().flatten())
            .map(|(name, v)| format!("({name:?}, {})", s(v)))
            .collect();
        format!("&[{}]", items.join(", "))
    };
    let terms = |t: &serde_json::Value| {
        format!(
            "Terms {{ symbol: {}, quantity: {}, price: {}, order_type: {} }}",
            s(&t["symbol"]),
            s(&t["quantity"]),
            s(&t["price"]),
            s(&t["orderType"])
        )
    };
    let mut code = String::from("pub(crate) static BOOKS: &[Book] = &[\n");
    for book in data["books"].as_array().expect("books") {
        let orders: Vec<String> = book["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .map(|o| {
                let sides = match (&o["sideParam"], o["side"].as_str()) {
                    (serde_json::Value::String(_), _) => {
                        format!("Sides::ByParam({})", s(&o["sideParam"]))
                    }
                    (_, Some("buy")) => "Sides::Only(Side::Buy)".to_string(),
                    (_, Some("sell")) => "Sides::Only(Side::Sell)".to_string(),
                    _ => format!("Sides::ByTrId({}, {})", list(&o["buys"]), list(&o["sells"])),
                };
                format!(
                    "OrderApi {{ path: {}, sides: {sides}, tr_ids: {}, when: {}, answer: {} }}",
                    s(&o["path"]),
                    list(&o["trIds"]),
                    pairs(&o["when"]),
                    list(&o["answer"])
                )
            })
            .collect();
        let changes: Vec<String> = book["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| {
                let cancels = match &c["cancels"]["param"] {
                    serde_json::Value::String(_) => format!(
                        "Cancels::ByParam({}, {})",
                        s(&c["cancels"]["param"]),
                        s(&c["cancels"]["value"])
                    ),
                    _ => format!("Cancels::ByTrId({})", list(&c["cancels"]["trIds"])),
                };
                format!(
                    "ChangeApi {{ path: {}, tr_ids: {}, when: {}, original: {}, original_date: {}, \
                     cancels: {cancels}, marks: {}, answer: {} }}",
                    s(&c["path"]),
                    list(&c["trIds"]),
                    pairs(&c["when"]),
                    s(&c["original"]),
                    s(&c["originalDate"]),
                    pairs(&c["marks"]),
                    list(&c["answer"])
                )
            })
            .collect();
        let query: Vec<String> = book["query"]
            .as_object()
            .expect("query")
            .iter()
            .map(|(name, v)| {
                let q = match v.as_str() {
                    Some("{today}") => "Q::Today".to_string(),
                    Some("{yesterday}") => "Q::Yesterday".to_string(),
                    Some(ahead) if ahead.starts_with("{today+") => {
                        let days = ahead["{today+".len()..ahead.len() - 1]
                            .parse::<u32>()
                            .unwrap_or_else(|_| panic!("{name}: {ahead} is not {{today+N}}"));
                        format!("Q::DaysAhead({days})")
                    }
                    Some("{symbol}") => "Q::Symbol".to_string(),
                    Some("{side}") => "Q::SideCode".to_string(),
                    Some(_) => format!("Q::Fixed({})", s(v)),
                    None => format!("Q::ByEnv({}, {})", s(&v["real"]), s(&v["mock"])),
                };
                format!("({name:?}, {q})")
            })
            .collect();
        let c = &book["columns"];
        writeln!(
            code,
            "Book {{ listed: {}, orders: &[{}], changes: &[{}], params: {}, lookup: {}, \
             lookup_tr_id: {}, query: &[{}], every_side: {}, row: {}, \
             columns: Columns {{ side: {}, date: {}, time: {}, order_no: {}, org_no: {}, original: {} }} }},",
            s(&book["listed"]),
            orders.join(", "),
            changes.join(", "),
            terms(&book["params"]),
            s(&book["lookup"]),
            s(&book["lookupTrId"]),
            query.join(", "),
            s(&book["everySide"]),
            terms(&book["row"]),
            s(&c["side"]),
            s(&c["date"]),
            s(&c["time"]),
            s(&c["orderNo"]),
            s(&c["orgNo"]),
            s(&c["original"]),
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out.join("order_books.rs"), code).unwrap();
}

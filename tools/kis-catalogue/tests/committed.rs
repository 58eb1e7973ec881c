//! The committed catalogue is what the converter makes of KIS's workbook in `../shared`: nobody
//! edits it by hand, and a newer workbook is one command (`bash scripts/catalogue.sh`) away.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The newest workbook in `../shared/kis-api-workbook/`, if that folder is there.
fn workbook() -> Option<PathBuf> {
    let dir = root().join("../shared/kis-api-workbook");
    let mut books: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    books.sort();
    books.pop()
}

#[test]
fn the_committed_catalogue_is_what_the_workbook_makes() {
    let Some(book) = workbook() else {
        eprintln!("skipped: ../shared/kis-api-workbook/ is not here, so there is nothing to compare the committed catalogue with");
        return;
    };
    let made = kis_catalogue::to_json(&kis_catalogue::read(&book).expect("the workbook reads"));
    let committed = std::fs::read_to_string(root().join("catalogue/kis-api.json"))
        .expect("catalogue/kis-api.json is committed");
    assert!(
        made == committed,
        "catalogue/kis-api.json is not what {} makes: run `bash scripts/catalogue.sh`",
        book.display()
    );
}

#[test]
fn the_catalogue_holds_every_api_of_the_workbook() {
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("catalogue/kis-api.json")).unwrap(),
    )
    .unwrap();
    let rest = committed["rest"].as_array().unwrap();
    let realtime = committed["realtime"].as_array().unwrap();
    let in_mock = rest
        .iter()
        .filter(|a| !a["trIds"]["mock"].is_null())
        .count();
    println!(
        "catalogued: {} REST APIs ({in_mock} offered in mock), {} realtime TRs",
        rest.len(),
        realtime.len()
    );
    assert_eq!(rest.len(), 275);
    assert_eq!(realtime.len(), 60);
    assert_eq!(in_mock, 38);
    for a in rest {
        assert!(a["path"].as_str().unwrap().starts_with("/uapi/"), "{a}");
        assert!(
            !a["trIds"]["real"].as_array().unwrap().is_empty(),
            "{}",
            a["path"]
        );
    }
    // Every read answers with `output…` groups, but for one whose sheet lists none (KIS's gap).
    let bare: Vec<&str> = rest
        .iter()
        .filter(|a| a["method"] == "GET" && a["response"]["groups"].as_array().unwrap().is_empty())
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(bare, ["/uapi/overseas-price/v1/quotations/news-title"]);
    // The order API, as the seed and today's KIS name it.
    let order = rest
        .iter()
        .find(|a| a["path"] == "/uapi/domestic-stock/v1/trading/order-cash")
        .unwrap();
    assert_eq!(order["name"], "domesticStockOrderCash");
    assert_eq!(order["trIds"]["real"][0]["id"], "TTTC0011U");
    assert_eq!(order["trIds"]["real"][0]["when"], "매도");
    assert_eq!(order["trIds"]["mock"][1]["id"], "VTTC0012U");
    let required: Vec<&str> = order["request"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["required"] == true)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for name in [
        "CANO",
        "ACNT_PRDT_CD",
        "PDNO",
        "ORD_DVSN",
        "ORD_QTY",
        "ORD_UNPR",
    ] {
        assert!(required.contains(&name), "{name} in {required:?}");
    }
}

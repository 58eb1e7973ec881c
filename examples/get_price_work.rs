//! The engine's own work for `getPrice`, natively, over a transport that answers at once:
//! `scripts/bench.sh` runs it under callgrind for the instructions a call takes, a figure that
//! does not move with the load on a shared machine as times do. The answer is kis-mock's.
//!
//! `cargo run --release --example get_price_work -- 1000` makes 1000 calls.
#![allow(clippy::disallowed_macros)] // a native tool, never in the wasm

use std::rc::Rc;

use kis_wasm::engine::config::Config;
use kis_wasm::engine::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use kis_wasm::json::{self, Value};
use kis_wasm::testing::{MemoryStore, VirtualClock};

const PRICE: &str = r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상처리 되었습니다!","output":{"stck_prpr":"71000","prdy_vrss":"400","prdy_vrss_sign":"2","prdy_ctrt":"0.57","acml_vol":"964742","acml_tr_pbmn":"68496682000","stck_oprc":"71200","stck_hgpr":"71500","stck_lwpr":"70500","stck_mxpr":"91800","stck_llam":"49400","stck_sdpr":"70600","aspr_unit":"100","hts_kor_isnm":"삼성전자","iscd_stat_cls_code":"55","temp_stop_yn":"N"}}"#;

struct AtOnce;

impl Transport for AtOnce {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let body = if request.url.ends_with("/oauth2/tokenP") {
            format!(
                r#"{{"access_token":"{}","expires_in":86400}}"#,
                "t".repeat(350)
            )
        } else {
            PRICE.to_string()
        };
        Ok(HttpResponse {
            status: 200,
            headers: Vec::new(),
            body,
        })
    }
}

fn main() {
    let calls: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let options = json::parse(
        r#"{"appKey":"bench-app-key-0123456789","appSecret":"bench-app-secret-0123456789","env":"real","rateLimitPerSec":0}"#,
    )
    .unwrap();
    let clock = Rc::new(VirtualClock::at(1.8e12));
    let core = kis_wasm::KisCore::new(
        Config::from_value(&options, &[]).unwrap(),
        AtOnce,
        clock.clone(),
        Rc::new(MemoryStore::default()),
        Rc::new(kis_wasm::events::Silent),
    );
    let symbol = Value::from("005930");
    // As the binding does: the result written as JSON for the glue.
    let written = kis_wasm::testing::run(&clock, async {
        core.ensure_token().await.unwrap();
        let mut written = 0;
        for _ in 0..calls {
            written += json::to_string(&core.get_price(&symbol).await.unwrap()).len();
        }
        written
    });
    println!("{calls} calls, {written} bytes of results");
}

//! The engine's own work for `getPrice`, natively, over a transport that answers at once:
//! `scripts/bench.sh` runs it under callgrind for the instructions a call takes, a figure that
//! does not move with the load on a shared machine as times do. The answer is kis-mock's.
//!
//! `cargo run --release --example get_price_work -- 1000` makes 1000 calls.

use std::rc::Rc;

use kis_wasm::engine::config::Config;
use kis_wasm::engine::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use kis_wasm::testing::{MemoryStore, VirtualClock};
use serde_json::Value;

const PRICE: &str = r#"{"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상처리 되었습니다!","output":{"iscd_stat_cls_code":"55","marg_rate":"20.00","rprs_mrkt_kor_name":"KOSPI200","new_hgpr_lwpr_cls_code":"","bstp_kor_isnm":"전기·전자","temp_stop_yn":"N","oprc_rang_cont_yn":"N","clpr_rang_cont_yn":"N","crdt_able_yn":"Y","grmn_rate_cls_code":"40","elw_pblc_yn":"Y","stck_prpr":"71000","prdy_vrss":"400","prdy_vrss_sign":"2","prdy_ctrt":"0.57","acml_tr_pbmn":"68496682000","acml_vol":"964742","prdy_vrss_vol_rate":"85.12","stck_oprc":"71200","stck_hgpr":"71500","stck_lwpr":"70500","stck_mxpr":"91800","stck_llam":"49400","stck_sdpr":"70600","wghn_avrg_stck_prc":"71000.00","hts_frgn_ehrt":"50.12","frgn_ntby_qty":"-120345","pgtr_ntby_qty":"45210","pvt_scnd_dmrs_prc":"72700","pvt_frst_dmrs_prc":"71700","pvt_pont_val":"70600","pvt_frst_dmsp_prc":"69500","pvt_scnd_dmsp_prc":"68500","dmrs_val":"71300","dmsp_val":"69900","cpfn":"7780","rstc_wdth_prc":"21200","stck_fcam":"100","stck_sspr":"49400","aspr_unit":"100","hts_deal_qty_unit_val":"1","lstn_stcn":"5969782550","hts_avls":"4238546","per":"12.34","pbr":"1.23","stac_month":"12","vol_tnrt":"0.02","eps":"5777.00","bps":"52002.00","d250_hgpr":"88300","d250_hgpr_date":"20260710","d250_hgpr_vrss_prpr_rate":"-19.59","d250_lwpr":"56500","d250_lwpr_date":"20260105","d250_lwpr_vrss_prpr_rate":"25.66","stck_dryy_hgpr":"88300","dryy_hgpr_vrss_prpr_rate":"-19.59","dryy_hgpr_date":"20260710","stck_dryy_lwpr":"56500","dryy_lwpr_vrss_prpr_rate":"25.66","dryy_lwpr_date":"20260105","w52_hgpr":"88300","w52_hgpr_vrss_prpr_ctrt":"-19.59","w52_hgpr_date":"20260710","w52_lwpr":"56500","w52_lwpr_vrss_prpr_ctrt":"25.66","w52_lwpr_date":"20260105","whol_loan_rmnd_rate":"0.05","ssts_yn":"Y","stck_shrn_iscd":"005930","fcam_cnnm":"100","cpfn_cnnm":"7,780 억","apprch_rate":"0.00","frgn_hldn_qty":"2992055014","vi_cls_code":"N","ovtm_vi_cls_code":"N","last_ssts_cntg_qty":"0","invt_caful_yn":"N","mrkt_warn_cls_code":"00","short_over_yn":"N","sltr_yn":"N"}}"#;

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
    let options = serde_json::json!({
        "appKey": "bench-app-key-0123456789",
        "appSecret": "bench-app-secret-0123456789",
        "env": "real",
        "rateLimitPerSec": 0,
    });
    let clock = Rc::new(VirtualClock::at(1.8e12));
    let core = kis_wasm::KisCore::new(
        Config::from_value(&options).unwrap(),
        AtOnce,
        clock.clone(),
        Rc::new(MemoryStore::default()),
        Rc::new(kis_wasm::events::Silent),
    );
    let symbol = Value::from("005930");
    // Written as JSON, the nearest native stand-in for the binding's conversion to JS.
    let written = kis_wasm::testing::run(&clock, async {
        core.ensure_token().await.unwrap();
        let mut written = 0;
        for _ in 0..calls {
            written += serde_json::to_string(&core.get_price(&symbol).await.unwrap())
                .unwrap()
                .len();
        }
        written
    });
    println!("{calls} calls, {written} bytes of results");
}

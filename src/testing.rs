//! Test support, compiled into the library so integration tests and benchmarks can share it
//! (it pulls nothing into the wasm build, whose exports never reach it): a virtual clock with an
//! executor that jumps time forward when every task waits, an in-memory token store, a recorder
//! of events and log lines, and `FakeKis`, a scripted in-process KIS.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use serde_json::{json, Value};

use crate::engine::transport::{
    Clock, HttpRequest, HttpResponse, Method, TokenStore, Transport, TransportError,
};
use crate::error::Cause;
use crate::events::{KisEvent, Observer};
use crate::kst::{kst_date, kst_time};
use crate::models::StoredToken;

/// 2026-11-27 10:00:00 KST, a trading day morning.
pub const START_MS: f64 = 1_795_741_200_000.0;

pub struct VirtualClock {
    now: Cell<f64>,
    timers: RefCell<Vec<(f64, Waker)>>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::at(START_MS)
    }
}

impl VirtualClock {
    pub fn at(ms: f64) -> Self {
        VirtualClock {
            now: Cell::new(ms),
            timers: RefCell::new(Vec::new()),
        }
    }

    pub fn set(&self, ms: f64) {
        self.now.set(ms);
    }

    /// Jumps to the earliest pending deadline and wakes its sleepers; false when none.
    pub fn advance(&self) -> bool {
        let next = self
            .timers
            .borrow()
            .iter()
            .map(|(at, _)| *at)
            .fold(f64::INFINITY, f64::min);
        if !next.is_finite() {
            return false;
        }
        if next > self.now.get() {
            self.now.set(next);
        }
        let now = self.now.get();
        let due: Vec<Waker> = {
            let mut timers = self.timers.borrow_mut();
            let (due, rest): (Vec<_>, Vec<_>) = timers.drain(..).partition(|(at, _)| *at <= now);
            *timers = rest;
            due.into_iter().map(|(_, w)| w).collect()
        };
        due.into_iter().for_each(Waker::wake);
        true
    }
}

struct Sleep<'a> {
    clock: &'a VirtualClock,
    deadline: f64,
}

impl Future for Sleep<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.clock.now.get() >= self.deadline {
            Poll::Ready(())
        } else {
            self.clock
                .timers
                .borrow_mut()
                .push((self.deadline, cx.waker().clone()));
            Poll::Pending
        }
    }
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
    async fn sleep(&self, ms: f64) {
        let deadline = self.now.get() + ms.max(0.0);
        Sleep {
            clock: self,
            deadline,
        }
        .await
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Drives `fut` to completion; whenever nothing can progress, virtual time jumps to the next
/// timer. No real sleeping, so a test of a 23-hour token runs in microseconds.
pub fn run<F: Future>(clock: &VirtualClock, fut: F) -> F::Output {
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        if flag.0.load(Ordering::SeqCst) {
            continue;
        }
        assert!(
            clock.advance(),
            "deadlock: every task waits and no timer is pending"
        );
    }
}

pub struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

pub fn yield_now() -> YieldNow {
    YieldNow(false)
}

#[derive(Default)]
pub struct MemoryStore {
    pub tokens: RefCell<HashMap<String, StoredToken>>,
    pub fail: Cell<bool>,
    /// A store whose `get` and `set` never answer (a remote one gone quiet).
    pub hang: Cell<bool>,
    /// A store no one else writes, as the binding's default one.
    pub unshared: Cell<bool>,
}

impl TokenStore for MemoryStore {
    fn shared(&self) -> bool {
        !self.unshared.get()
    }
    async fn get(&self, key: &str) -> Result<Option<StoredToken>, String> {
        if self.hang.get() {
            futures::future::pending::<()>().await;
        }
        if self.fail.get() {
            return Err("store offline".into());
        }
        Ok(self.tokens.borrow().get(key).cloned())
    }
    async fn set(&self, key: &str, token: &StoredToken) -> Result<(), String> {
        if self.hang.get() {
            futures::future::pending::<()>().await;
        }
        if self.fail.get() {
            return Err("store offline".into());
        }
        self.tokens
            .borrow_mut()
            .insert(key.to_string(), token.clone());
        Ok(())
    }
}

#[derive(Default)]
pub struct Recorder {
    /// Set: each event is recorded, then thrown back, as a broken `onEvent` would.
    pub throws: Cell<bool>,
    pub events: RefCell<Vec<KisEvent>>,
    pub warns: RefCell<Vec<String>>,
    pub errors: RefCell<Vec<String>>,
}

impl Observer for Recorder {
    fn event(&self, e: &KisEvent) -> Result<(), String> {
        self.events.borrow_mut().push(e.clone());
        if self.throws.get() {
            return Err("the listener broke".to_string());
        }
        Ok(())
    }
    fn warn(&self, line: &str) {
        self.warns.borrow_mut().push(line.to_string());
    }
    fn error(&self, line: &str) {
        self.errors.borrow_mut().push(line.to_string());
    }
}

impl Recorder {
    /// Everything this recorder saw, as text, to search for secrets.
    pub fn all_text(&self) -> String {
        let mut s = String::new();
        for e in self.events.borrow().iter() {
            s.push_str(&format!("{e:?}\n"));
        }
        for l in self
            .warns
            .borrow()
            .iter()
            .chain(self.errors.borrow().iter())
        {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// What a scripted answer does instead of the fake's normal handling.
#[derive(Debug, Clone)]
pub enum Scripted {
    Respond(u16, String),
    /// A 200 answer whose `tr_cont` header says there is more (`M`).
    More(String),
    /// The connection drops before an answer.
    Reset,
    Timeout,
    /// Handled normally (an order is booked), then the answer is replaced: the lost-answer case.
    ExecuteThen(u16, String),
    ExecuteThenReset,
    /// Handled normally, and answered this many ms later than usual.
    Slow(f64),
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: f64,
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::engine::transport::find_header(&self.headers, name)
    }
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct FakeOrder {
    /// The KST day (YYYYMMDD). Numbers start again each day here, the worst case for a client:
    /// an order number names an order only together with its day.
    pub date: String,
    pub order_no: String,
    pub side: &'static str,
    pub symbol: String,
    pub quantity: String,
    pub price: String,
    /// ORD_DVSN as sent.
    pub order_type: String,
    pub time: String,
    pub cancelled: bool,
    /// The order a modification or cancel changes (`orgn_odno`); empty on a new order. KIS
    /// lists a change as an order of its own.
    pub original: String,
    /// Virtual time from which daily-ccld lists it (see `listing_lag_ms`).
    pub listed_from: f64,
    /// EXCG_ID_DVSN_CD as sent ("KRX" when none was, as KIS takes it).
    pub exchange: String,
}

/// KIS's answer to a second token request within the minute (HTTP 403).
pub const THROTTLED: &str = r#"{"error_code":"EGW00133","error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"}"#;

/// An in-process KIS: enough of tokenP, hashkey, quotes, balance (paged), orders and
/// daily-ccld for the engine's rules, plus a script of faults per path.
pub struct FakeKis {
    pub clock: std::rc::Rc<VirtualClock>,
    pub requests: RefCell<Vec<Recorded>>,
    script: RefCell<Vec<(String, VecDeque<Scripted>)>>,
    /// Virtual time each answer takes.
    pub latency_ms: Cell<f64>,
    /// How far KIS's clock is ahead of the client's (negative: behind), for order times.
    pub clock_skew_ms: Cell<f64>,
    /// An order type daily-ccld lists for every order in place of the one sent: a KIS that
    /// names types its own way.
    pub lists_type_as: RefCell<Option<String>>,
    /// How long after booking an order daily-ccld starts to list it, as KIS's view can lag.
    pub listing_lag_ms: Cell<f64>,
    /// When set, a tokenP within this long of the last issuance is refused with EGW00133, as
    /// KIS does (off by default: S6's re-issue after a rejection is tested on its own).
    pub issue_gap_ms: Cell<f64>,
    last_issued_at: Cell<f64>,
    issued: Cell<u32>,
    valid_tokens: RefCell<Vec<String>>,
    pub orders: RefCell<Vec<FakeOrder>>,
    pub balance_pages: Cell<usize>,
    pub hashkey_missing: Cell<bool>,
    /// Hashkey header mismatches and continuation-key mismatches the fake noticed.
    pub violations: RefCell<Vec<String>>,
    /// Delay before the first request of each URL arrives, as a browser's CORS preflight.
    pub preflight_ms: Cell<f64>,
    preflighted: RefCell<Vec<String>>,
}

/// The fake's hashkey: any stable hash of the exact body will do.
pub fn fnv_hex(s: &str) -> String {
    format!("{:016x}", crate::token::fnv1a64(s))
}

/// A query component as the transport received it (`+` a space, as forms have it).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let after_host = url
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    let (path, q) = after_host.split_once('?').unwrap_or((&after_host, ""));
    let query = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    (path.to_string(), query)
}

fn ok(body: Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

fn kis_error(status: u16, code: &str, msg: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: json!({"rt_cd": "1", "msg_cd": code, "msg1": msg}).to_string(),
    }
}

const PAGE_KEY_PAD: &str = "          ";

impl FakeKis {
    pub fn new(clock: std::rc::Rc<VirtualClock>) -> Self {
        FakeKis {
            clock,
            requests: RefCell::new(Vec::new()),
            script: RefCell::new(Vec::new()),
            latency_ms: Cell::new(5.0),
            clock_skew_ms: Cell::new(0.0),
            lists_type_as: RefCell::new(None),
            issue_gap_ms: Cell::new(0.0),
            last_issued_at: Cell::new(f64::MIN),
            issued: Cell::new(0),
            valid_tokens: RefCell::new(Vec::new()),
            orders: RefCell::new(Vec::new()),
            balance_pages: Cell::new(1),
            hashkey_missing: Cell::new(false),
            violations: RefCell::new(Vec::new()),
            preflight_ms: Cell::new(0.0),
            listing_lag_ms: Cell::new(0.0),
            preflighted: RefCell::new(Vec::new()),
        }
    }

    /// The next answers for paths ending in `path`, in order.
    pub fn script(&self, path: &str, answers: Vec<Scripted>) {
        self.script
            .borrow_mut()
            .push((path.to_string(), answers.into_iter().collect()));
    }

    pub fn requests_to(&self, path_end: &str) -> Vec<Recorded> {
        self.requests
            .borrow()
            .iter()
            .filter(|r| r.path.ends_with(path_end))
            .cloned()
            .collect()
    }

    /// Takes a token a script answered tokenP with as one of its own from now on.
    pub fn accept_token(&self, token: &str) {
        self.valid_tokens.borrow_mut().push(token.to_string());
    }

    /// Makes every token issued so far invalid, as an expiry would.
    pub fn expire_tokens(&self) {
        self.valid_tokens.borrow_mut().clear();
    }

    fn next_scripted(&self, path: &str) -> Option<Scripted> {
        let mut script = self.script.borrow_mut();
        let entry = script
            .iter_mut()
            .find(|(p, q)| path.ends_with(p.as_str()) && !q.is_empty())?;
        entry.1.pop_front()
    }

    fn handle(&self, r: &Recorded) -> HttpResponse {
        let now = self.clock.now_ms();
        if r.path == "/oauth2/Approval" {
            let body: Value =
                serde_json::from_str(r.body.as_deref().unwrap_or("{}")).unwrap_or(Value::Null);
            if body["secretkey"].as_str().unwrap_or("").is_empty() {
                return kis_error(403, "EGW00103", "유효하지 않은 AppKey입니다.");
            }
            return ok(json!({"approval_key": format!("fake-approval-key-{}", "a".repeat(24))}));
        }
        if r.path == "/oauth2/revokeP" {
            let body: Value =
                serde_json::from_str(r.body.as_deref().unwrap_or("{}")).unwrap_or(Value::Null);
            if body["appkey"].as_str().unwrap_or("").is_empty()
                || body["appsecret"].as_str().unwrap_or("").is_empty()
            {
                return kis_error(403, "EGW00103", "유효하지 않은 AppKey입니다.");
            }
            let token = body["token"].as_str().unwrap_or("");
            let mut valid = self.valid_tokens.borrow_mut();
            let Some(i) = valid.iter().position(|t| t == token) else {
                // What KIS says of a token it does not know is not documented: the fake says
                // what it says of one sent to /uapi.
                return kis_error(403, "EGW00121", "유효하지 않은 token 입니다.");
            };
            valid.remove(i);
            return ok(json!({"code": 200, "message": "접근토큰 폐기에 성공하였습니다"}));
        }
        if r.path == "/oauth2/tokenP" {
            if now < self.last_issued_at.get() + self.issue_gap_ms.get() {
                return HttpResponse {
                    status: 403,
                    headers: vec![],
                    body: THROTTLED.into(),
                };
            }
            self.last_issued_at.set(now);
            let n = self.issued.get() + 1;
            self.issued.set(n);
            let token = format!("fake-access-token-{n:04}-{}", "x".repeat(40));
            self.valid_tokens.borrow_mut().push(token.clone());
            return ok(json!({"access_token": token, "token_type": "Bearer", "expires_in": 86400}));
        }
        if r.path == "/uapi/hashkey" {
            if self.hashkey_missing.get() {
                return HttpResponse {
                    status: 404,
                    headers: vec![],
                    body: "Not Found".into(),
                };
            }
            let body = r.body.clone().unwrap_or_default();
            let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            return ok(json!({"BODY": parsed, "HASH": fnv_hex(&body)}));
        }
        if r.header("custtype").is_none() {
            return HttpResponse {
                status: 500,
                headers: vec![],
                body: String::new(),
            };
        }
        let bearer = r
            .header("authorization")
            .unwrap_or("")
            .trim_start_matches("Bearer ");
        if !self.valid_tokens.borrow().iter().any(|t| t == bearer) {
            return kis_error(500, "EGW00123", "기간이 만료된 token 입니다.");
        }
        if r.method == Method::Post {
            if let (Some(h), Some(b)) = (r.header("hashkey"), &r.body) {
                if h != fnv_hex(b) {
                    self.violations
                        .borrow_mut()
                        .push(format!("hashkey mismatch on {}", r.path));
                }
            }
        }
        let p = r.path.rsplit('/').next().unwrap_or("");
        match p {
            "inquire-price" => ok(
                json!({"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상처리 되었습니다!",
                "output": {"stck_prpr":"70000","prdy_vrss":"-500","prdy_ctrt":"-0.71","acml_vol":"1234567",
                           "stck_oprc":"70500","stck_hgpr":"71000","stck_lwpr":"69500","stck_mxpr":"91500","stck_llam":"49500"}}),
            ),
            "inquire-daily-price" => {
                let rows: Vec<Value> = (0..30).map(|i| json!({
                    "stck_bsop_date": kst_date(now - f64::from(i) * 86_400_000.0),
                    "stck_oprc":"70000","stck_hgpr":"71000","stck_lwpr":"69000","stck_clpr": format!("{}", 70000 + i * 10),
                    "acml_vol":"1000"})).collect();
                ok(json!({"rt_cd":"0","msg_cd":"MCA00000","msg1":"","output": rows}))
            }
            "inquire-balance" => self.balance_page(r),
            "inquire-psbl-order" => ok(json!({"rt_cd":"0","msg_cd":"KIOK0510","msg1":"",
                "output": {"ord_psbl_cash":"1000000","nrcvb_buy_qty":"14","nrcvb_buy_amt":"980000"}})),
            "order-cash" | "order-rvsecncl" => {
                let body: Value =
                    serde_json::from_str(r.body.as_deref().unwrap_or("{}")).unwrap_or(Value::Null);
                let text = |k: &str| body[k].as_str().unwrap_or("").to_string();
                let kis_now = now + self.clock_skew_ms.get();
                let today = kst_date(kis_now);
                let mut orders = self.orders.borrow_mut();
                let n = orders.iter().filter(|o| o.date == today).count() + 1;
                let mut order = FakeOrder {
                    date: today,
                    order_no: format!("{:010}", 1000 + n),
                    side: "02",
                    symbol: text("PDNO"),
                    quantity: text("ORD_QTY"),
                    price: text("ORD_UNPR"),
                    order_type: text("ORD_DVSN"),
                    time: kst_time(kis_now),
                    cancelled: false,
                    original: String::new(),
                    listed_from: now + self.listing_lag_ms.get(),
                    exchange: Some(text("EXCG_ID_DVSN_CD"))
                        .filter(|e| !e.is_empty())
                        .unwrap_or_else(|| "KRX".to_string()),
                };
                if p == "order-cash" {
                    let tr = r.header("tr_id").unwrap_or("");
                    if tr.ends_with("0011U") || tr.ends_with("0801U") {
                        order.side = "01";
                    }
                } else {
                    // A change takes the original's remaining quantity off it, and is listed
                    // as an order of its own naming it: a cancel already cancelled, a
                    // modification at its new price.
                    // An order number without its leading zeros names the same order.
                    let target = format!("{:0>10}", text("ORGN_ODNO"));
                    let Some(o) = orders
                        .iter_mut()
                        .find(|o| o.order_no == target && !o.cancelled)
                    else {
                        return kis_error(200, "APBK0634", "취소 가능 수량이 없습니다.");
                    };
                    // KIS refuses a change sent to another exchange than its order's (seen
                    // answered rt_cd 7; the code and wording here are the fake's own).
                    if o.exchange != order.exchange {
                        return kis_error(200, "APBK1746", "원주문의 거래소와 다릅니다.");
                    }
                    o.cancelled = true;
                    order.side = o.side;
                    order.symbol = o.symbol.clone();
                    order.quantity = o.quantity.clone();
                    order.original = target;
                    if text("RVSE_CNCL_DVSN_CD") == "02" {
                        order.price = o.price.clone();
                        order.order_type = o.order_type.clone();
                        order.cancelled = true;
                    }
                }
                let out = json!({"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료 되었습니다.",
                    "output": {"KRX_FWDG_ORD_ORGNO":"06010","ODNO": order.order_no,"ORD_TMD": order.time}});
                orders.push(order);
                ok(out)
            }
            "inquire-daily-ccld" => {
                let sym = r.query_value("PDNO").unwrap_or("").to_string();
                let side = r.query_value("SLL_BUY_DVSN_CD").unwrap_or("00").to_string();
                let from = r.query_value("INQR_STRT_DT").unwrap_or("").to_string();
                let to = r.query_value("INQR_END_DT").unwrap_or("").to_string();
                // Newest first, as KIS answers with INQR_DVSN "00".
                let listed = self.lists_type_as.borrow().clone();
                let rows: Vec<Value> = self.orders.borrow().iter().rev()
                    .filter(|o| (sym.is_empty() || o.symbol == sym) && (side == "00" || o.side == side)
                        && o.date >= from && o.date <= to && o.listed_from <= now)
                    .map(|o| json!({"ord_dt": o.date, "ord_gno_brno":"06010","odno": o.order_no,"orgn_odno": o.original,
                        "sll_buy_dvsn_cd": o.side, "pdno": o.symbol, "prdt_name":"삼성전자","ord_qty": o.quantity,
                        "ord_unpr": o.price, "ord_dvsn_cd": listed.as_deref().unwrap_or(&o.order_type), "ord_tmd": o.time, "tot_ccld_qty":"0",
                        "rmn_qty": if o.cancelled {"0"} else {o.quantity.as_str()}, "cncl_yn": if o.cancelled {"Y"} else {"N"},
                        "excg_id_dvsn_Cd": o.exchange}))
                    .collect();
                ok(
                    json!({"rt_cd":"0","msg_cd":"KIOK0460","msg1":"","ctx_area_fk100":"","ctx_area_nk100":"",
                    "output1": rows, "output2": {"tot_ord_qty":"0"}}),
                )
            }
            _ => HttpResponse {
                status: 404,
                headers: vec![],
                body: "<html>no such path</html>".into(),
            },
        }
    }

    fn balance_page(&self, r: &Recorded) -> HttpResponse {
        let pages = self.balance_pages.get().max(1);
        let fk = r.query_value("CTX_AREA_FK100").unwrap_or("");
        let page = if r.header("tr_cont") == Some("N") {
            let n: usize = fk
                .trim_start_matches("page")
                .split('^')
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
            let expected = format!("page{n}^01^{PAGE_KEY_PAD}");
            if fk != expected {
                self.violations
                    .borrow_mut()
                    .push(format!("continuation key {fk:?} != {expected:?}"));
            }
            n
        } else {
            0
        };
        let last = page + 1 >= pages;
        let holding = json!({"pdno": format!("{:06}", 5930 + page), "prdt_name": format!("종목{page}"),
            "hldg_qty":"10","ord_psbl_qty":"10","pchs_avg_pric":"65000.0000","prpr":"70000","evlu_amt":"700000",
            "evlu_pfls_amt":"50000","evlu_pfls_rt":"7.69"});
        let body = json!({"rt_cd":"0","msg_cd":"KIOK0510","msg1":"조회가 완료되었습니다",
            "ctx_area_fk100": format!("page{}^01^{PAGE_KEY_PAD}", page + 1),
            "ctx_area_nk100": PAGE_KEY_PAD,
            "output1": [holding],
            "output2": [{"dnca_tot_amt":"346455","scts_evlu_amt":"1759600","tot_evlu_amt":"2106055",
                         "nass_amt":"2106055","pchs_amt_smtl_amt":"1700000","evlu_pfls_smtl_amt":"59600"}]});
        let mut resp = ok(body);
        resp.headers
            .push(("tr_cont".into(), if last { "D" } else { "M" }.into()));
        resp
    }
}

impl Transport for FakeKis {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        if self.preflight_ms.get() > 0.0 && !self.preflighted.borrow().contains(&req.url) {
            self.preflighted.borrow_mut().push(req.url.clone());
            self.clock.sleep(self.preflight_ms.get()).await;
        }
        let (path, query) = split_url(&req.url);
        let rec = Recorded {
            at: self.clock.now_ms(),
            method: req.method,
            path: path.clone(),
            query,
            headers: req.headers.clone(),
            body: req.body.clone(),
        };
        self.requests.borrow_mut().push(rec.clone());
        self.clock.sleep(self.latency_ms.get()).await;
        match self.next_scripted(&path) {
            None => Ok(self.handle(&rec)),
            Some(Scripted::Respond(status, body)) => Ok(HttpResponse {
                status,
                headers: vec![],
                body,
            }),
            Some(Scripted::More(body)) => Ok(HttpResponse {
                status: 200,
                headers: vec![("tr_cont".into(), "M".into())],
                body,
            }),
            Some(Scripted::Reset) => Err(TransportError::Network(Cause {
                name: "TypeError".into(),
                message: "socket hang up".into(),
            })),
            Some(Scripted::Timeout) => {
                self.clock
                    .sleep(req.timeout_ms.unwrap_or(30_000) as f64)
                    .await;
                Err(TransportError::Timeout)
            }
            Some(Scripted::ExecuteThen(status, body)) => {
                self.handle(&rec);
                Ok(HttpResponse {
                    status,
                    headers: vec![],
                    body,
                })
            }
            Some(Scripted::Slow(ms)) => {
                let answer = self.handle(&rec);
                self.clock.sleep(ms).await;
                Ok(answer)
            }
            Some(Scripted::ExecuteThenReset) => {
                self.handle(&rec);
                Err(TransportError::Network(Cause {
                    name: "TypeError".into(),
                    message: "socket hang up".into(),
                }))
            }
        }
    }
}

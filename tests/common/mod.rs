#![allow(dead_code)]

use std::rc::Rc;

use kis_wasm::engine::config::Config;
use kis_wasm::engine::shared::Registry;
use kis_wasm::testing::{FakeKis, MemoryStore, Recorder, VirtualClock};
use kis_wasm::KisCore;
use serde_json::Value;

pub const APP_KEY: &str = "PSappkey0123456789abcdefghijklmnopq";
pub const APP_SECRET: &str = "secretVALUE/0123456789+abcdefghijklmnopqrstuvwxyz==";

pub type Core = KisCore<Rc<FakeKis>, Rc<VirtualClock>, Rc<MemoryStore>>;

pub struct World {
    pub clock: Rc<VirtualClock>,
    pub kis: Rc<FakeKis>,
    pub store: Rc<MemoryStore>,
    pub rec: Rc<Recorder>,
    pub core: Core,
}

pub fn options(extra: Value) -> Value {
    let base = serde_json::json!({
        "appKey": APP_KEY,
        "appSecret": APP_SECRET,
        "account": "12345678-01",
        "baseUrl": "https://openapivts.koreainvestment.com:29443",
        "rateLimitPerSec": 0,
    });
    let mut base = base.as_object().unwrap().clone();
    // A real-environment client talks to KIS's real host (the client refuses the other's).
    if extra.get("env").and_then(Value::as_str) == Some("real") {
        base.insert(
            "baseUrl".into(),
            "https://openapi.koreainvestment.com:9443".into(),
        );
    }
    // `null` in `extra` leaves the option out (a client without an account, say).
    for (k, v) in extra.as_object().unwrap() {
        match v {
            Value::Null => base.remove(k),
            v => base.insert(k.clone(), v.clone()),
        };
    }
    Value::Object(base)
}

pub fn world(extra: Value) -> World {
    let clock = Rc::new(VirtualClock::default());
    let kis = Rc::new(FakeKis::new(clock.clone()));
    let store = Rc::new(MemoryStore::default());
    world_with(extra, clock, kis, store)
}

pub fn world_with(
    extra: Value,
    clock: Rc<VirtualClock>,
    kis: Rc<FakeKis>,
    store: Rc<MemoryStore>,
) -> World {
    world_in(None, extra, clock, kis, store)
}

/// A client with state of its own, or, given a registry and a way to KIS, on the state it
/// shares there (`engine::shared`).
fn world_in(
    joined: Option<(&Registry, u32)>,
    extra: Value,
    clock: Rc<VirtualClock>,
    kis: Rc<FakeKis>,
    store: Rc<MemoryStore>,
) -> World {
    let rec = Rc::new(Recorder::default());
    let cfg = Config::from_value(&options(extra)).unwrap();
    let (t, c, s, o) = (kis.clone(), clock.clone(), store.clone(), rec.clone());
    let core = match joined {
        Some((registry, way)) => KisCore::sharing(registry.join(&cfg, way), cfg, t, c, s, o),
        None => KisCore::new(cfg, t, c, s, o),
    };
    World {
        clock,
        kis,
        store,
        rec,
        core,
    }
}

/// A process of the user's over one fake KIS: its clients share state by app key
/// (`engine::shared`), each with a token store of its own.
pub struct Process {
    pub registry: Registry,
    pub clock: Rc<VirtualClock>,
    pub kis: Rc<FakeKis>,
}

impl Process {
    pub fn new() -> Process {
        let clock = Rc::new(VirtualClock::default());
        let kis = Rc::new(FakeKis::new(clock.clone()));
        Process {
            registry: Registry::new(),
            clock,
            kis,
        }
    }

    /// A client that reaches KIS by `way` (in the package, its `fetch` function).
    pub fn client(&self, way: u32, extra: Value) -> World {
        let store = Rc::new(MemoryStore::default());
        store.unshared.set(true);
        world_in(
            Some((&self.registry, way)),
            extra,
            self.clock.clone(),
            self.kis.clone(),
            store,
        )
    }
}

/// A second client on the same KIS, clock and token store: another script of the user's.
pub fn beside(other: &World) -> World {
    world_with(
        serde_json::json!({}),
        other.clock.clone(),
        other.kis.clone(),
        other.store.clone(),
    )
}

impl World {
    pub fn run<F: std::future::Future>(&self, f: F) -> F::Output {
        kis_wasm::testing::run(&self.clock, f)
    }

    pub fn count(&self, path_end: &str) -> usize {
        self.kis.requests_to(path_end).len()
    }

    /// No secret in any event, log line, or the given errors.
    pub fn assert_no_secrets(&self, extra: &str) {
        let text = format!("{}{extra}", self.rec.all_text());
        assert!(!text.contains(APP_KEY), "app key leaked: {text}");
        assert!(!text.contains(APP_SECRET), "app secret leaked: {text}");
        assert!(!text.contains("fake-access-token"), "token leaked: {text}");
    }
}

pub fn sym(s: &str) -> Value {
    Value::String(s.to_string())
}

//! A realtime connection's bookkeeping (`realtime::connection`) with a fake host: which
//! subscriber each record reaches, what is sent when, KIS's answers, views that leave, KIS
//! refusing the session, and the reconnect's wait. The socket and the timers are the binding's,
//! tested in Node (test/node/realtime.test.mjs); here nothing is real but the rules.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use kis_wasm::env::CustType;
use kis_wasm::error::{ErrorKind, KisError};
use kis_wasm::realtime::connection::{Connection, Host, Leaving, Subscribed};
use kis_wasm::realtime::shapes::{Shape, Shaped};
use proptest::prelude::*;
use serde_json::{json, Value};

type Callback = Rc<dyn Fn(&Value) -> Result<(), String>>;

/// Records what the connection asks of its surroundings.
#[derive(Default)]
struct FakeHost {
    sent: RefCell<Vec<String>>,
    warned: RefCell<Vec<String>>,
    /// Records written out for callbacks: each shape once per record.
    values: Cell<usize>,
    /// (listener, state) for every state told.
    told: RefCell<Vec<(&'static str, String)>>,
}

/// A state listener: its name, whether it throws, and what else it does inside its call.
#[derive(Clone)]
struct Listener {
    name: &'static str,
    throws: bool,
    then: Option<Rc<dyn Fn() -> Result<(), String>>>,
}

fn listener(name: &'static str, throws: bool) -> Listener {
    Listener {
        name,
        throws,
        then: None,
    }
}

impl Host for FakeHost {
    type Callback = Callback;
    type Listener = Listener;
    type Value = Value;

    fn send(&self, text: &str) {
        self.sent.borrow_mut().push(text.to_string());
    }
    fn warn(&self, message: &str) {
        self.warned.borrow_mut().push(message.to_string());
    }
    fn scrub(&self, mut e: KisError) -> KisError {
        e.message = e.message.replace("secret-approval", "***");
        e
    }
    fn value(&self, shaped: &Shaped) -> Value {
        self.values.set(self.values.get() + 1);
        serde_json::to_value(shaped).unwrap()
    }
    fn call(&self, callback: &Callback, value: &Value) -> Result<(), String> {
        callback(value)
    }
    fn tell(&self, l: &Listener, state: &str) -> Result<(), String> {
        self.told.borrow_mut().push((l.name, state.to_string()));
        if let Some(then) = &l.then {
            then()?;
        }
        match l.throws {
            true => Err(format!("{} broke", l.name)),
            false => Ok(()),
        }
    }
}

type Conn = Connection<FakeHost>;

fn connection() -> Rc<Conn> {
    Rc::new(Connection::new(
        FakeHost::default(),
        CustType::Personal,
        60_000.0,
    ))
}

/// A callback that keeps what it gets.
fn keeper() -> (Callback, Rc<RefCell<Vec<Value>>>) {
    let got = Rc::new(RefCell::new(Vec::new()));
    let g = got.clone();
    (
        Rc::new(move |v: &Value| {
            g.borrow_mut().push(v.clone());
            Ok(())
        }),
        got,
    )
}

fn subscribe(c: &Conn, view: u32, tr: (&str, &str), shape: Shape, cb: Callback) -> Subscribed {
    c.subscribe(view, "approval-1", tr, shape, cb).unwrap()
}

fn answer(tr_id: &str, tr_key: &str, rt_cd: &str, msg_cd: &str, msg1: &str) -> String {
    json!({
        "header": { "tr_id": tr_id, "tr_key": tr_key, "encrypt": "N" },
        "body": { "rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1 },
    })
    .to_string()
}

fn took(tr_id: &str, tr_key: &str) -> String {
    answer(tr_id, tr_key, "0", "OPSP0000", "SUBSCRIBE SUCCESS")
}

/// What the answer channel of a subscription says, once KIS has answered.
fn said(rx: &mut oneshot::Receiver<Option<KisError>>) -> Option<Option<KisError>> {
    rx.try_recv().unwrap()
}

fn sent(c: &Conn) -> Vec<Value> {
    c.host
        .sent
        .borrow()
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect()
}

fn told(c: &Conn) -> Vec<(&'static str, String)> {
    c.host.told.borrow().clone()
}

#[test]
fn subscriptions_go_when_the_socket_opens_once_each_and_all_again_after_a_reconnect() {
    let c = connection();
    c.on_state(1, listener("a", false));
    c.connecting(0.0);
    let (cb, _) = keeper();
    let first = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb.clone());
    assert!(first.frame.is_some() && first.answer.is_some());
    assert!(
        c.host.sent.borrow().is_empty(),
        "nothing before the socket opens"
    );
    // A second subscriber of the same TR and key: KIS has it already, nothing to ask or wait for.
    let second = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Record, cb.clone());
    assert!(second.frame.is_none() && second.answer.is_none());
    c.opened(1_000.0);
    let once = sent(&c);
    assert_eq!(once.len(), 1);
    assert_eq!(once[0]["header"]["approval_key"], "approval-1");
    assert_eq!(once[0]["header"]["tr_type"], "1");
    assert_eq!(once[0]["body"]["input"]["tr_key"], "005930");
    // Open now: a new subscription goes at once.
    subscribe(&c, 1, ("H0STASP0", "005930"), Shape::Orderbook, cb);
    assert_eq!(sent(&c).len(), 2);
    assert_eq!(c.subscriptions(), 2);

    assert!(c.dropped(), "not closed by the caller: reconnect");
    c.host.sent.borrow_mut().clear();
    c.set_approval_key("approval-2");
    assert_eq!(c.reconnect_wait(), 500.0);
    c.connecting(0.0);
    c.opened(2_000.0);
    let again = sent(&c);
    assert_eq!(again.len(), 2, "every subscription, once each");
    assert!(again
        .iter()
        .all(|f| f["header"]["approval_key"] == "approval-2"));
    // Each state said once: the reconnect's wait and its attempt are one "reconnecting".
    let states: Vec<String> = told(&c).into_iter().map(|(_, s)| s).collect();
    assert_eq!(states, ["connecting", "open", "reconnecting", "open"]);
}

#[test]
fn a_record_reaches_the_subscribers_of_its_key_in_their_shapes_each_shape_made_once() {
    let c = connection();
    let (trades, got_trades) = keeper();
    let (records, got_records) = keeper();
    let (other, got_other) = keeper();
    let (also, got_also) = keeper();
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, trades);
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Record, records);
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, also);
    subscribe(&c, 1, ("H0STCNT0", "000660"), Shape::Trade, other);
    c.opened(0.0);
    c.on_message("0|H0STCNT0|002|005930^093015^71000^000660^093016^190000");
    assert_eq!(got_trades.borrow().len(), 1);
    assert_eq!(got_trades.borrow()[0]["symbol"], "005930");
    assert_eq!(got_trades.borrow()[0]["price"], 71000.0);
    assert_eq!(got_trades.borrow()[0]["time"], "09:30:15");
    assert_eq!(*got_also.borrow(), *got_trades.borrow());
    assert_eq!(got_records.borrow()[0]["stck_prpr"], "71000");
    assert_eq!(got_other.borrow().len(), 1);
    assert_eq!(got_other.borrow()[0]["symbol"], "000660");
    assert_eq!(
        c.host.values.get(),
        3,
        "005930 as a trade and as a record, 000660 as a trade: three, for four callbacks"
    );
    // Its records name their subscriptions, so one naming none is nobody's: not handed to the
    // TR's subscribers as theirs (999999's price on 000660's row), and said once.
    c.on_message("0|H0STCNT0|001|999999^093017^500");
    c.on_message("0|H0STCNT0|001|888888^093017^600");
    assert_eq!(got_trades.borrow().len(), 1);
    assert_eq!(got_other.borrow().len(), 1);
    assert_eq!(
        *c.host.warned.borrow(),
        ["KIS realtime: a H0STCNT0 record of \"999999\", which no subscription of this connection \
          follows, was dropped rather than given to the TR's other subscribers (later ones are not \
          logged)"]
    );
    // Another TR's frame reaches none of them.
    c.on_message("0|H0STASP0|001|005930^093018");
    assert_eq!(got_trades.borrow().len(), 1);
}

#[test]
fn trades_still_in_flight_when_their_subscription_ended_reach_no_other_subscriber() {
    let c = connection();
    let (samsung, got_samsung) = keeper();
    let (hynix, got_hynix) = keeper();
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, samsung);
    let id = subscribe(&c, 1, ("H0STCNT0", "000660"), Shape::Trade, hynix).id;
    c.opened(0.0);
    c.on_message("0|H0STCNT0|002|005930^093015^71000^000660^093015^190000");
    c.end(id);
    // KIS sent these before the unsubscribe reached it.
    c.on_message("0|H0STCNT0|001|000660^093016^190100");
    c.on_message("0|H0STCNT0|002|000660^093016^190200^005930^093016^71100");
    let prices = |got: &RefCell<Vec<Value>>| -> Vec<f64> {
        got.borrow()
            .iter()
            .map(|t| t["price"].as_f64().unwrap())
            .collect()
    };
    assert_eq!(prices(&got_samsung), [71000.0, 71100.0]);
    assert_eq!(prices(&got_hynix), [190000.0]);
    assert!(
        c.host.warned.borrow().is_empty(),
        "{:?}",
        c.host.warned.borrow()
    );
}

#[test]
fn a_tr_whose_records_lead_with_no_key_reaches_every_subscriber_of_it() {
    // H0UNMKO0 (market operation notices) leads with its trading-halt flag, not the symbol.
    let c = connection();
    let (a, got_a) = keeper();
    let (b, got_b) = keeper();
    subscribe(&c, 1, ("H0UNMKO0", "005930"), Shape::Record, a);
    subscribe(&c, 1, ("H0UNMKO0", "000660"), Shape::Record, b);
    c.opened(0.0);
    c.on_message("0|H0UNMKO0|001|N^005930");
    c.on_message("0|H0UNMKO0|001|Y^000660");
    assert_eq!((got_a.borrow().len(), got_b.borrow().len()), (2, 2));
    assert!(c.host.warned.borrow().is_empty());
}

#[test]
fn a_callback_may_end_subscriptions_mid_frame_and_a_throwing_one_is_logged_once_and_still_fed() {
    let c = connection();
    let me: Rc<RefCell<Weak<Conn>>> = Rc::new(RefCell::new(Weak::new()));
    *me.borrow_mut() = Rc::downgrade(&c);
    let (late, got_late) = keeper();
    let late_id = Rc::new(Cell::new(0));
    let (m, id) = (me.clone(), late_id.clone());
    let ender: Callback = Rc::new(move |_| {
        m.borrow().upgrade().unwrap().end(id.get());
        Ok(())
    });
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, ender);
    late_id.set(subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Record, late).id);
    let calls = Rc::new(Cell::new(0));
    let n = calls.clone();
    let thrower: Callback = Rc::new(move |_| {
        n.set(n.get() + 1);
        Err("TypeError: x is undefined".to_string())
    });
    subscribe(&c, 1, ("H0STCNT0", "000660"), Shape::Trade, thrower);
    c.opened(0.0);
    c.host.sent.borrow_mut().clear();
    c.on_message("0|H0STCNT0|002|005930^093015^71000^000660^093016^190000");
    assert!(
        got_late.borrow().is_empty(),
        "ended by the callback before it in the same frame"
    );
    // The ended one was not the last of 005930: KIS keeps it.
    assert!(c.host.sent.borrow().is_empty());
    c.on_message("0|H0STCNT0|001|000660^093017^190100");
    assert_eq!(calls.get(), 2, "still fed after throwing");
    let warned = c.host.warned.borrow().clone();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("H0STCNT0 000660") && warned[0].contains("x is undefined"));
}

#[test]
fn the_answer_to_an_unsubscribe_is_not_taken_for_a_subscription_of_the_same_key_asked_since() {
    let c = connection();
    let (cb, _) = keeper();
    c.opened(0.0);
    let mut first = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb.clone());
    c.end(first.id);
    let mut again = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb);
    assert!(again.frame.is_some(), "asked of KIS again");
    c.on_message(&took("H0STCNT0", "005930"));
    assert!(matches!(said(first.answer.as_mut().unwrap()), Some(None)));
    c.on_message(&answer(
        "H0STCNT0",
        "005930",
        "0",
        "OPSP0000",
        "UNSUBSCRIBE SUCCESS",
    ));
    // Nor is a failed unsubscribe's answer a refusal of it.
    c.on_message(&answer(
        "H0STCNT0",
        "005930",
        "1",
        "OPSP0003",
        "UNSUBSCRIBE ERROR(not found)",
    ));
    assert!(
        said(again.answer.as_mut().unwrap()).is_none(),
        "still waiting for KIS's answer to it"
    );
    c.on_message(&answer(
        "H0STCNT0",
        "005930",
        "1",
        "OPSP0008",
        "MAX SUBSCRIBE OVER",
    ));
    let refusal = said(again.answer.as_mut().unwrap()).unwrap().unwrap();
    assert_eq!(refusal.msg_cd.as_deref(), Some("OPSP0008"));
}

#[test]
fn a_refusal_after_the_subscriber_stopped_waiting_at_timeout_ms_is_logged_not_lost() {
    let c = connection();
    let (cb, _) = keeper();
    // Asked while the socket is down: KIS's answer comes only once one opens.
    let sub = subscribe(&c, 1, ("H0STCNT0", "Q500001"), Shape::Trade, cb);
    // timeoutMs passed without a word: the binding stops waiting and resolves.
    drop(sub.answer);
    assert!(c.answered(sub.id, None).is_ok());
    c.opened(0.0);
    c.on_message(&answer(
        "H0STCNT0",
        "Q500001",
        "1",
        "OPSP0002",
        "invalid tr_key",
    ));
    let warned = c.host.warned.borrow();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("OPSP0002") && warned[0].contains("Q500001"),
        "{}",
        warned[0]
    );
}

#[test]
fn kis_answers_settle_the_waiting_subscription_and_a_refusal_ends_it_unmasked_of_nothing() {
    let c = connection();
    let (cb, _) = keeper();
    let mut ok = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb.clone());
    let mut no = subscribe(&c, 1, ("H0STASP0", "005930"), Shape::Orderbook, cb.clone());
    c.opened(0.0);
    assert_eq!(c.subscriptions(), 2);
    c.on_message(&took("H0STCNT0", "005930"));
    assert!(matches!(said(ok.answer.as_mut().unwrap()), Some(None)));
    assert!(c.answered(ok.id, None).is_ok());
    // KIS's 'already' is a subscription in place, not a refusal.
    let mut again = subscribe(&c, 1, ("H0STCNT0", "000660"), Shape::Trade, cb);
    c.on_message(&answer(
        "H0STCNT0",
        "000660",
        "1",
        "OPSP0002",
        "ALREADY IN SUBSCRIBE",
    ));
    assert!(matches!(said(again.answer.as_mut().unwrap()), Some(None)));
    c.on_message(&answer(
        "H0STASP0",
        "005930",
        "1",
        "OPSP0011",
        "invalid approval : secret-approval",
    ));
    let refusal = said(no.answer.as_mut().unwrap()).unwrap().unwrap();
    let e = c.answered(no.id, Some(refusal)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    assert_eq!(e.msg_cd.as_deref(), Some("OPSP0011"));
    assert!(
        !e.message.contains("secret-approval"),
        "scrubbed: {}",
        e.message
    );
    assert_eq!(c.subscriptions(), 2, "the refused one forgotten");
    // A restored subscription refused has no promise waiting: it is logged.
    c.on_message(&answer(
        "H0STCNT0",
        "005930",
        "1",
        "OPSP0009",
        "MAX SUBSCRIBE OVER",
    ));
    assert!(c.host.warned.borrow()[0].contains("OPSP0009"));
}

#[test]
fn the_last_subscriber_of_a_tr_and_key_ending_unsubscribes_at_kis_and_ending_twice_does_nothing() {
    let c = connection();
    let (cb, got) = keeper();
    let a = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb.clone());
    let b = subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb);
    c.opened(0.0);
    c.host.sent.borrow_mut().clear();
    c.end(a.id);
    assert!(c.host.sent.borrow().is_empty(), "b still follows it");
    c.end(b.id);
    let off = sent(&c);
    assert_eq!(off.len(), 1);
    assert_eq!(off[0]["header"]["tr_type"], "2");
    c.end(b.id);
    assert_eq!(sent(&c).len(), 1);
    assert_eq!(c.subscriptions(), 0);
    c.on_message("0|H0STCNT0|001|005930^093015^71000");
    assert!(got.borrow().is_empty());
}

#[test]
fn a_view_that_leaves_ends_only_its_own_part_and_the_last_closes_the_connection() {
    let c = connection();
    let (cb, got_one) = keeper();
    let (cb2, got_two) = keeper();
    c.on_state(1, listener("one", false));
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb);
    c.opened(0.0);
    c.on_message(&took("H0STCNT0", "005930"));
    let two = c.add_view();
    c.on_state(two, listener("two", false));
    subscribe(&c, two, ("H0STCNT0", "005930"), Shape::Trade, cb2.clone());
    let mut waiting = subscribe(&c, two, ("H0STASP0", "000660"), Shape::Orderbook, cb2);
    c.host.sent.borrow_mut().clear();
    c.host.told.borrow_mut().clear();

    assert_eq!(c.leave(two), Leaving::Others);
    c.end_view(two);
    let off = sent(&c);
    assert_eq!(off.len(), 1, "only what view one does not follow: {off:?}");
    assert_eq!(off[0]["body"]["input"]["tr_key"], "000660");
    let e = said(waiting.answer.as_mut().unwrap()).unwrap().unwrap();
    assert!(e.message.contains("closed"), "{}", e.message);
    assert_eq!(told(&c), [("two", "closed".to_string())]);
    assert!(c.refuse_if_closed(two).is_err());
    assert!(c.refuse_if_closed(1).is_ok());
    c.on_message("0|H0STCNT0|001|005930^093015^71000");
    assert_eq!((got_one.borrow().len(), got_two.borrow().len()), (1, 0));
    c.host.told.borrow_mut().clear();
    c.state("reconnecting");
    assert_eq!(
        told(&c),
        [("one", "reconnecting".to_string())],
        "its listeners are gone"
    );

    assert_eq!(c.leave(two), Leaving::Before);
    let mut last = subscribe(&c, 1, ("H0STCNT0", "035720"), Shape::Trade, keeper().0);
    assert_eq!(c.leave(1), Leaving::Last);
    c.close();
    assert!(
        c.is_closed() && !c.dropped(),
        "closed by the caller: no reconnect"
    );
    assert!(said(last.answer.as_mut().unwrap()).unwrap().is_some());
    assert!(c.refuse_if_closed(1).is_err());
}

#[test]
fn kis_refusing_the_session_fails_every_waiting_subscription_and_waits_longer_until_one_works() {
    let c = connection();
    let (cb, _) = keeper();
    // One taken earlier, then a reconnect refused while a new one waits.
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb.clone());
    c.opened(0.0);
    c.on_message(&took("H0STCNT0", "005930"));
    let mut waiting = subscribe(&c, 1, ("H0STCNT0", "000660"), Shape::Trade, cb);
    let in_use = answer(
        "(null)",
        "",
        "1",
        "OPSP8996",
        "ALREADY IN USE appkey : secret-approval",
    );
    c.on_message(&in_use);
    let e = said(waiting.answer.as_mut().unwrap()).unwrap().unwrap();
    assert_eq!(e.msg_cd.as_deref(), Some("OPSP8996"));
    assert!(e.message.contains("Another connection") && !e.message.contains("secret-approval"));
    let warned = c.host.warned.borrow().clone();
    assert_eq!(
        warned.len(),
        1,
        "the restored one is asked again: said once"
    );
    // KIS closes the socket; each reconnect is refused again, said no more, and waits up to
    // 5 minutes rather than 30 s.
    let mut waits = Vec::new();
    for _ in 0..12 {
        assert!(c.dropped());
        waits.push(c.reconnect_wait());
        c.opened(0.0);
        c.on_message(&in_use);
    }
    assert_eq!(c.host.warned.borrow().len(), 1);
    assert_eq!(waits[0], 500.0);
    assert_eq!(*waits.last().unwrap(), 300_000.0);
    // Taken at last: the next drop waits the shortest again.
    c.on_message(&took("H0STCNT0", "005930"));
    c.dropped();
    assert_eq!(c.reconnect_wait(), 500.0);
}

#[test]
fn a_socket_that_opens_and_closes_at_once_is_not_a_working_connection() {
    let c = connection();
    let (cb, _) = keeper();
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb);
    let waits: Vec<f64> = (0..4)
        .map(|_| {
            c.opened(0.0);
            c.dropped();
            c.reconnect_wait()
        })
        .collect();
    assert_eq!(waits, [500.0, 1_000.0, 2_000.0, 4_000.0]);
    // Data is: the backoff starts again.
    c.opened(0.0);
    c.on_message("0|H0STCNT0|001|005930^093015^71000");
    c.dropped();
    assert_eq!(c.reconnect_wait(), 500.0);
}

#[test]
fn a_socket_that_hears_nothing_for_silence_ms_is_silent_and_pingpong_goes_back_as_it_came() {
    let c = connection();
    assert!(!c.is_silent(1e12), "not open: nothing to watch");
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, keeper().0);
    c.opened(1_000.0);
    assert!(!c.is_silent(60_999.0));
    assert!(c.is_silent(61_000.0));
    c.heard(50_000.0);
    let ping = r#"{"header":{"tr_id":"PINGPONG","datetime":"20261205093015"}}"#;
    c.host.sent.borrow_mut().clear();
    c.on_message(ping);
    assert_eq!(*c.host.sent.borrow(), [ping.to_string()]);
    assert!(!c.is_silent(61_000.0));
    assert!(c.is_silent(110_000.0));
    let off = Connection::new(FakeHost::default(), CustType::Personal, 0.0);
    off.opened(0.0);
    assert!(!off.is_silent(1e12), "silenceMs 0: never");
}

#[test]
fn a_socket_that_does_not_open_within_silence_ms_is_silent_too_and_none_between_sockets() {
    let c = connection();
    c.connecting(1_000.0);
    assert!(c.is_opening());
    assert!(!c.is_silent(60_999.0));
    assert!(
        c.is_silent(61_000.0),
        "an upgrade never answered is given up"
    );
    assert!(c.dropped());
    assert!(!c.is_opening());
    assert!(!c.is_silent(1e12), "no socket while waiting to reconnect");
    c.connecting(100_000.0);
    c.opened(150_000.0);
    assert!(!c.is_opening());
    assert!(!c.is_silent(209_999.0), "open: counted from its opening");
    assert!(c.is_silent(210_000.0));
}

#[test]
fn a_throwing_state_listener_is_logged_once_and_the_others_still_hear() {
    let c = connection();
    c.on_state(1, listener("bad", true));
    c.on_state(1, listener("good", false));
    c.connecting(0.0);
    c.opened(0.0);
    let heard: Vec<&str> = told(&c)
        .iter()
        .filter(|(w, _)| *w == "good")
        .map(|_| "x")
        .collect();
    assert_eq!(heard.len(), 2);
    let warned = c.host.warned.borrow().clone();
    assert_eq!(warned.len(), 1);
    assert!(warned[0].contains("bad broke"));
}

#[test]
fn a_frame_that_cannot_be_read_is_logged_and_nothing_else_happens() {
    let c = connection();
    let (cb, got) = keeper();
    subscribe(&c, 1, ("H0STCNT0", "005930"), Shape::Trade, cb);
    c.opened(0.0);
    c.on_message("0|H0STCNT0|x|005930");
    c.on_message("<html>");
    assert!(got.borrow().is_empty());
    assert_eq!(c.host.warned.borrow().len(), 2);
    // Before any subscription there is no session: a frame is ignored.
    let fresh = connection();
    fresh.on_message("0|H0STCNT0|001|005930^093015^71000");
    assert!(fresh.host.warned.borrow().is_empty());
}

/// What a caller's function does when the connection calls it, from inside the call.
#[derive(Debug, Clone)]
enum Reaction {
    Nothing,
    Throw,
    /// Ends the n-th subscription made (itself, another, or one long gone).
    End(u32),
    /// Subscribes another symbol.
    Subscribe(&'static str),
    /// Its view leaves the connection (the whole of it, when it is the last).
    Leave,
}

/// One step a caller or the socket takes.
#[derive(Debug, Clone)]
enum Step {
    Subscribe(usize, &'static str, &'static str, Reaction),
    End(u32),
    AddView,
    Leave(usize),
    OnState(usize, Reaction),
    Open,
    Drop,
    Frame(String),
}

const TRS: [&str; 3] = ["H0STCNT0", "H0STASP0", "H0STCNI9"];
const KEYS: [&str; 3] = ["005930", "000660", "hts-id"];

fn reaction() -> impl Strategy<Value = Reaction> {
    prop_oneof![
        3 => Just(Reaction::Nothing),
        1 => Just(Reaction::Throw),
        2 => (1u32..12).prop_map(Reaction::End),
        1 => prop::sample::select(KEYS.to_vec()).prop_map(Reaction::Subscribe),
        1 => Just(Reaction::Leave),
    ]
}

fn frame() -> impl Strategy<Value = String> {
    let tr = prop::sample::select(TRS.to_vec());
    let key = prop::sample::select(KEYS.to_vec());
    prop_oneof![
        (tr.clone(), key.clone(), 1usize..3).prop_map(|(tr, key, n)| {
            let record = format!("{key}^093015^71000^500");
            format!("0|{tr}|{n:03}|{}", vec![record; n].join("^"))
        }),
        (tr.clone(), key.clone()).prop_map(|(tr, key)| took(tr, key)),
        (tr, key).prop_map(|(tr, key)| answer(tr, key, "1", "OPSP0011", "refused")),
        Just(answer(
            "(null)",
            "",
            "1",
            "OPSP8996",
            "ALREADY IN USE appkey"
        )),
        Just(r#"{"header":{"tr_id":"PINGPONG"}}"#.to_string()),
        ".{0,16}",
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..3, prop::sample::select(TRS.to_vec()), prop::sample::select(KEYS.to_vec()), reaction())
            .prop_map(|(v, tr, key, r)| Step::Subscribe(v, tr, key, r)),
        2 => (1u32..12).prop_map(Step::End),
        1 => Just(Step::AddView),
        1 => (0usize..3).prop_map(Step::Leave),
        1 => (0usize..3, reaction()).prop_map(|(v, r)| Step::OnState(v, r)),
        2 => Just(Step::Open),
        1 => Just(Step::Drop),
        6 => frame().prop_map(Step::Frame),
    ]
}

/// What a caller does from inside a callback or a listener of `view`.
fn react(c: &Conn, view: u32, r: &Reaction) -> Result<(), String> {
    match r {
        Reaction::Nothing => Ok(()),
        Reaction::Throw => Err("thrown".to_string()),
        Reaction::End(id) => {
            c.end(*id);
            Ok(())
        }
        Reaction::Subscribe(key) => {
            if c.refuse_if_closed(view).is_ok() {
                let _ = c.subscribe(view, "k", ("H0STCNT0", key), Shape::Trade, keeper().0);
            }
            Ok(())
        }
        Reaction::Leave => {
            leave(c, view);
            Ok(())
        }
    }
}

/// A view leaving, as `KisRealtime::close` does it.
fn leave(c: &Conn, view: u32) {
    match c.leave(view) {
        Leaving::Before => {}
        Leaving::Others => c.end_view(view),
        Leaving::Last => {
            c.close();
            c.state("closed");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever callers and KIS do, in any order, and whatever a callback or a listener does
    /// from inside its call (end any subscription, start one, close its view, throw), the
    /// connection neither panics (a double borrow would trap the module inside a socket event)
    /// nor holds more than KIS's 41, and a closed one stays closed.
    #[test]
    fn a_connection_takes_any_steps_and_any_reentrant_caller(steps in prop::collection::vec(step(), 1..40)) {
        let c = connection();
        let me: Rc<RefCell<Weak<Conn>>> = Rc::new(RefCell::new(Rc::downgrade(&c)));
        let mut views = vec![1u32];
        for s in steps {
            match s {
                Step::Subscribe(v, tr, key, r) => {
                    let view = views[v % views.len()];
                    let m = me.clone();
                    let cb: Callback = Rc::new(move |_| {
                        let c = m.borrow().upgrade().unwrap();
                        react(&c, view, &r)
                    });
                    if c.refuse_if_closed(view).is_ok() {
                        let _ = c.subscribe(view, "k", (tr, key), Shape::Record, cb);
                    }
                }
                Step::End(id) => c.end(id),
                Step::AddView => {
                    if !c.is_closed() {
                        views.push(c.add_view());
                    }
                }
                Step::Leave(v) => leave(&c, views[v % views.len()]),
                Step::OnState(v, r) => {
                    let view = views[v % views.len()];
                    let m = me.clone();
                    let then: Rc<dyn Fn() -> Result<(), String>> = Rc::new(move || {
                        let c = m.borrow().upgrade().unwrap();
                        react(&c, view, &r)
                    });
                    c.on_state(view, Listener { name: "listener", throws: false, then: Some(then) });
                }
                Step::Open => {
                    c.connecting(0.0);
                    c.opened(0.0);
                }
                Step::Drop => {
                    if c.dropped() {
                        c.reconnect_wait();
                    }
                }
                Step::Frame(f) => c.on_message(&f),
            }
            prop_assert!(c.subscriptions() <= 41);
        }
        if c.is_closed() {
            prop_assert!(views.iter().all(|v| c.refuse_if_closed(*v).is_err()));
            prop_assert!(!c.dropped(), "closed by the caller: never reconnected");
        }
    }
}

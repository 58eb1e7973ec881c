//! One realtime connection's protocol, without I/O: what to send on open (every subscription,
//! again after a reconnect), what a subscribe or unsubscribe sends, and what each incoming frame
//! means — records to hand to subscribers, a `PINGPONG` to send back, an answer. The binding
//! owns the socket and the timers and drives this.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::env::CustType;
use crate::error::Result;
use crate::realtime::cipher::decrypt;
use crate::realtime::columns::{columns, Record};
use crate::realtime::frame::{parse, records, request, unpacked, Answer, Frame};
use crate::realtime::subscriptions::Subscriptions;

/// What an incoming frame asks of the binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A data frame's records.
    Records(Records),
    /// Send this text back now.
    Reply(String),
    Answer(Answer),
    /// A frame that could not be read, said in a sentence (never a secret: frames carry none).
    Unreadable(String),
}

/// A data frame's records of `tr_id`, read in place as they are handed on.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    pub tr_id: String,
    payload: String,
    count: usize,
}

impl Records {
    /// Each record by its TR's columns (lower case, as the REST answers are).
    pub fn each(&self) -> impl Iterator<Item = Record<'_>> {
        let cols = columns(&self.tr_id).unwrap_or_default();
        records(&self.payload, self.count)
            .into_iter()
            .map(move |fields| Record::new(cols, fields))
    }
}

pub struct Session {
    approval_key: RefCell<String>,
    cust: CustType,
    subs: RefCell<Subscriptions>,
    /// The AES key and iv KIS gave for each TR's encrypted frames.
    keys: RefCell<HashMap<String, (String, String)>>,
}

impl Session {
    pub fn new(approval_key: &str, cust: CustType) -> Session {
        Session {
            approval_key: RefCell::new(approval_key.to_string()),
            cust,
            subs: RefCell::default(),
            keys: RefCell::default(),
        }
    }

    /// The approval key of the requests from now on: a reconnect a day later needs a new one.
    pub fn set_approval_key(&self, key: &str) {
        *self.approval_key.borrow_mut() = key.to_string();
    }

    /// The request to send for a new subscription, None when it is already there; an error past
    /// KIS's 41, before anything is sent.
    pub fn subscribe(&self, tr_id: &str, tr_key: &str) -> Result<Option<String>> {
        let new = self.subs.borrow_mut().add(tr_id, tr_key)?;
        Ok(new.then(|| request(&self.approval_key.borrow(), self.cust, tr_id, tr_key, true)))
    }

    /// The request to send to end a subscription, None when there was none.
    pub fn unsubscribe(&self, tr_id: &str, tr_key: &str) -> Option<String> {
        self.subs
            .borrow_mut()
            .remove(tr_id, tr_key)
            .then(|| request(&self.approval_key.borrow(), self.cust, tr_id, tr_key, false))
    }

    /// Everything to send when a connection opens: every subscription, in the order made.
    pub fn on_open(&self) -> Vec<String> {
        self.subs
            .borrow()
            .all()
            .iter()
            .map(|(t, k)| request(&self.approval_key.borrow(), self.cust, t, k, true))
            .collect()
    }

    pub fn subscriptions(&self) -> usize {
        self.subs.borrow().all().len()
    }

    pub fn on_message(&self, raw: &str) -> Incoming {
        match parse(raw) {
            Err(e) => Incoming::Unreadable(e),
            // KIS closes a connection whose PINGPONG does not come back as it went.
            Ok(Frame::PingPong) => Incoming::Reply(raw.to_string()),
            Ok(Frame::Answer(a)) => {
                if let (Some(k), Some(iv)) = (&a.key, &a.iv) {
                    self.keys
                        .borrow_mut()
                        .insert(a.tr_id.clone(), (k.clone(), iv.clone()));
                }
                Incoming::Answer(a)
            }
            Ok(Frame::Data {
                tr_id,
                encrypted,
                count,
                payload,
            }) => {
                let payload = if encrypted {
                    let keys = self.keys.borrow();
                    let Some((key, iv)) = keys.get(&tr_id) else {
                        return Incoming::Unreadable(format!(
                            "an encrypted {tr_id} frame before its subscribe answer gave a key"
                        ));
                    };
                    match decrypt(&payload, key, iv) {
                        Ok(p) => p,
                        Err(e) => return Incoming::Unreadable(format!("{tr_id}: {e}")),
                    }
                } else {
                    payload
                };
                if let Some(why) = unpacked(&tr_id, &payload, count) {
                    return Incoming::Unreadable(why);
                }
                Incoming::Records(Records {
                    tr_id,
                    payload,
                    count,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::subscriptions::MAX_SUBSCRIPTIONS;
    use crate::row::Fields;

    #[test]
    fn subscriptions_are_sent_once_and_all_again_on_a_new_connection() {
        let s = Session::new("approval-xyz", CustType::Personal);
        assert!(s.subscribe("H0STCNT0", "005930").unwrap().is_some());
        assert!(s.subscribe("H0STCNT0", "005930").unwrap().is_none());
        assert!(s.subscribe("H0STASP0", "005930").unwrap().is_some());
        let again = s.on_open();
        assert_eq!(again.len(), 2);
        assert!(again[0].contains("H0STCNT0") && again[1].contains("H0STASP0"));
        assert!(s
            .unsubscribe("H0STASP0", "005930")
            .unwrap()
            .contains(r#""tr_type":"2""#));
        assert!(s.unsubscribe("H0STASP0", "005930").is_none());
        assert_eq!(s.on_open().len(), 1);
        assert!(s.on_open()[0].contains(r#""approval_key":"approval-xyz""#));
        // A reconnect a day later sends its subscriptions with the key asked since.
        s.set_approval_key("approval-new");
        assert!(s.on_open()[0].contains(r#""approval_key":"approval-new""#));
        for i in 1..MAX_SUBSCRIPTIONS {
            s.subscribe("H0STCNT0", &format!("{i:06}")).unwrap();
        }
        assert!(s.subscribe("H0STCNT0", "999999").is_err());
    }

    #[test]
    fn frames_become_records_pingpong_goes_back_and_fill_notices_are_decrypted() {
        let s = Session::new("k", CustType::Personal);
        let Incoming::Records(records) =
            s.on_message("0|H0STCNT0|002|005930^093015^71000^000660^093016^190000")
        else {
            panic!()
        };
        assert_eq!(records.tr_id, "H0STCNT0");
        let records: Vec<_> = records.each().collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].text("mksc_shrn_iscd").as_deref(), Some("000660"));
        assert_eq!(records[1].text("stck_prpr").as_deref(), Some("190000"));
        // A cut frame of two trades is not handed on as one trade with the next one's fields.
        let Incoming::Unreadable(why) =
            s.on_message("0|H0STCNT0|002|005930^093015^71000^000660^093016")
        else {
            panic!("an uneven frame was handed on")
        };
        assert!(why.contains("H0STCNT0 frame of 2 records"), "{why}");
        let ping = r#"{"header":{"tr_id":"PINGPONG","datetime":"20261204093015"}}"#;
        assert_eq!(s.on_message(ping), Incoming::Reply(ping.to_string()));
        // An encrypted notice before the key is unreadable; after the subscribe answer, read.
        let (key, iv) = ("0123456789abcdef0123456789abcdef", "fedcba9876543210");
        let sealed = {
            use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
            use base64::Engine;
            let c = cbc::Encryptor::<aes::Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes())
                .unwrap();
            base64::engine::general_purpose::STANDARD
                .encode(c.encrypt_padded_vec_mut::<Pkcs7>(b"hts-id^50012345^0000000007"))
        };
        let frame = format!("1|H0STCNI9|001|{sealed}");
        assert!(matches!(s.on_message(&frame), Incoming::Unreadable(_)));
        let answer = format!(
            r#"{{"header":{{"tr_id":"H0STCNI9","tr_key":"hts-id"}},"body":{{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{{"key":"{key}","iv":"{iv}"}}}}}}"#
        );
        assert!(matches!(s.on_message(&answer), Incoming::Answer(a) if a.ok));
        let Incoming::Records(records) = s.on_message(&frame) else {
            panic!()
        };
        let first = records.each().next().unwrap();
        assert_eq!(first.text("cust_id").as_deref(), Some("hts-id"));
        assert_eq!(first.text("oder_no").as_deref(), Some("0000000007"));
    }
}

// kis-mock's realtime socket, on the mock's own port (KIS serves it on :21000 real, :31000 mock):
// approval keys checked, subscribe answers with an AES key and iv, trades (H0STCNT0) and
// orderbooks (H0STASP0) a few times a second for subscribed symbols at the simulated market's
// prices, encrypted fill notices (H0STCNI0 / H0STCNI9) when the simulated orders fill,
// PINGPONG, KIS's 41 subscriptions a connection, and a fault that drops every connection.
import crypto from "node:crypto";
import { WebSocketServer } from "ws";
import { kst, tick } from "./market.mjs";

const MAX = 41;
const NOTICES = new Set(["H0STCNI0", "H0STCNI9"]);

/**
 * @param {import("node:http").Server} server
 * @param {{ env: "real"|"mock", approvals: Set<string>, price: (s: string) => number, now: () => number, tickMs?: number, pingMs?: number }} o
 */
export function attachRealtime(server, o) {
  const wss = new WebSocketServer({ server });
  const counts = { connections: 0, subscribes: 0, frames: 0 };
  const sockets = new Set();
  const answer = (tr_id, tr_key, rt_cd, msg_cd, msg1, output) =>
    JSON.stringify({ header: { tr_id, tr_key, encrypt: "N" }, body: { rt_cd, msg_cd, msg1, ...(output ? { output } : {}) } });

  wss.on("connection", (ws) => {
    counts.connections += 1;
    const conn = { ws, subs: new Map(), key: crypto.randomBytes(16).toString("hex"), iv: crypto.randomBytes(8).toString("hex") };
    sockets.add(conn);
    let n = 0;
    const ticker = setInterval(() => {
      n += 1;
      for (const [id, { tr_id, tr_key }] of conn.subs) {
        if (tr_id === "H0STCNT0") send(conn, `0|H0STCNT0|001|${trade(tr_key, n).join("^")}`);
        if (tr_id === "H0STASP0") send(conn, `0|H0STASP0|001|${book(tr_key).join("^")}`);
        void id;
      }
    }, o.tickMs ?? 200);
    const pinger = setInterval(() => send(conn, JSON.stringify({ header: { tr_id: "PINGPONG", datetime: kst(o.now()).date + kst(o.now()).time } })), o.pingMs ?? 5000);
    ws.on("close", () => {
      clearInterval(ticker);
      clearInterval(pinger);
      sockets.delete(conn);
    });
    ws.on("message", (data) => {
      let m;
      try {
        m = JSON.parse(String(data));
      } catch {
        return ws.send(answer("", "", "1", "OPSP9999", "JSON PARSING ERROR"));
      }
      if (m?.header?.tr_id === "PINGPONG") return; // the client's echo
      const { approval_key, tr_type, custtype } = m?.header ?? {};
      const { tr_id = "", tr_key = "" } = m?.body?.input ?? {};
      if (!o.approvals.has(approval_key)) return ws.send(answer(tr_id, tr_key, "1", "OPSP0011", "invalid approval : NOT FOUND"));
      if (!custtype) return ws.send(answer(tr_id, tr_key, "1", "OPSP0003", "custtype 헤더가 필요합니다"));
      if (NOTICES.has(tr_id) && (o.env === "mock") !== (tr_id === "H0STCNI9")) return ws.send(answer(tr_id, tr_key, "1", "OPSP0002", "invalid tr_id"));
      const id = `${tr_id}|${tr_key}`;
      if (tr_type === "2") {
        conn.subs.delete(id);
        return ws.send(answer(tr_id, tr_key, "0", "OPSP0000", "UNSUBSCRIBE SUCCESS"));
      }
      if (conn.subs.has(id)) return ws.send(answer(tr_id, tr_key, "1", "OPSP0002", "ALREADY IN SUBSCRIBE"));
      if (conn.subs.size >= MAX) return ws.send(answer(tr_id, tr_key, "1", "OPSP0008", "MAX SUBSCRIBE OVER"));
      conn.subs.set(id, { tr_id, tr_key });
      counts.subscribes += 1;
      ws.send(answer(tr_id, tr_key, "0", "OPSP0000", "SUBSCRIBE SUCCESS", { iv: conn.iv, key: conn.key }));
    });
  });

  function send(conn, text) {
    if (conn.ws.readyState === 1) {
      counts.frames += 1;
      conn.ws.send(text);
    }
  }

  /** H0STCNT0's 46 columns, the first ones KIS's meaning; a price on the symbol's tick. */
  function trade(symbol, n) {
    const p = o.price(symbol);
    const last = p + ((n % 3) - 1) * tick(p);
    const t = kst(o.now());
    const cols = [symbol, t.time, String(last), "2", "0", "0.00", String(p), String(p), String(p + tick(p)), String(p - tick(p)), String(last + tick(last)), String(last), String(10 + (n % 7)), String(1000 + n)];
    return [...cols, ...Array(46 - cols.length).fill("0")];
  }

  /** H0STASP0's 59 columns: ten levels a side around the price. */
  function book(symbol) {
    const p = o.price(symbol);
    const step = tick(p);
    const asks = Array.from({ length: 10 }, (_, i) => String(p + (i + 1) * step));
    const bids = Array.from({ length: 10 }, (_, i) => String(p - i * step));
    const qty = Array.from({ length: 20 }, (_, i) => String(100 + i * 10));
    const cols = [symbol, kst(o.now()).time, "0", ...asks, ...bids, ...qty];
    return [...cols, ...Array(59 - cols.length).fill("0")];
  }

  return {
    counts,
    /** Closes every connection, as a network fault would. */
    dropAll() {
      for (const c of sockets) c.ws.terminate();
    },
    /** A fill of a simulated order, to every connection subscribed to fill notices. */
    notifyFill(order, at) {
      const t = kst(o.now());
      const fields = (htsId) => [htsId, order.cano ?? "", order.odno, order.orgOdno ?? "", order.side === "sell" ? "01" : "02", "0", "00", "0", order.symbol,
        String(order.qty), String(at), t.time, "N", "2", "Y", "00950", String(order.qty), "", "", "1", "N", "", "", "", "", String(order.price)];
      for (const conn of sockets) {
        for (const { tr_id, tr_key } of conn.subs.values()) {
          if (!NOTICES.has(tr_id)) continue;
          const c = crypto.createCipheriv("aes-256-cbc", Buffer.from(conn.key), Buffer.from(conn.iv));
          // Its first column is the HTS ID the notices were subscribed with.
          const sealed = Buffer.concat([c.update(fields(tr_key).join("^"), "utf8"), c.final()]).toString("base64");
          send(conn, `1|${tr_id}|001|${sealed}`);
        }
      }
    },
    close: () => new Promise((r) => { for (const c of sockets) c.ws.terminate(); wss.close(() => r()); }),
  };
}

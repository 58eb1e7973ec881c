// kis-mock's realtime socket, on the mock's own port (KIS serves it on :21000 real, :31000 mock):
// approval keys checked, subscribe answers with an AES key and iv, trades (H0STCNT0) and
// orderbooks (H0STASP0) a few times a second for subscribed symbols at the simulated market's
// prices, encrypted fill notices (H0STCNI0 / H0STCNI9) when the simulated orders fill,
// PINGPONG, KIS's 41 subscriptions a connection, one session an app key (a second connection's
// first request is answered OPSP8996 "ALREADY IN USE appkey" and the connection closed, as KIS
// does), and faults that drop every connection or silence it without a close.
import crypto from "node:crypto";
import { WebSocketServer } from "ws";
import { bookQty, change, kst, tick } from "./market.mjs";

const MAX = 41;
const NOTICES = new Set(["H0STCNI0", "H0STCNI9"]);

/**
 * @param {import("node:http").Server} server
 * @param {{ env: "real"|"mock", approvals: Map<string, string>, price: (s: string) => number, day: (s: string) => { open: string, high: string, low: string, prevClose: number, today: { acml_vol: string } }, name: (s: string) => string, now: () => number, tickMs?: number, pingMs?: number }} o
 */
export function attachRealtime(server, o) {
  const wss = new WebSocketServer({ server });
  const counts = { connections: 0, subscribes: 0, frames: 0, refusedSessions: 0 };
  const sockets = new Set();
  /** App key → the connection whose session it is. */
  const sessions = new Map();
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
        if (tr_id === "H0STASP0") send(conn, `0|H0STASP0|001|${book(tr_key, n).join("^")}`);
        void id;
      }
    }, o.tickMs ?? 200);
    const pinger = setInterval(() => send(conn, JSON.stringify({ header: { tr_id: "PINGPONG", datetime: kst(o.now()).date + kst(o.now()).time } })), o.pingMs ?? 5000);
    // A frame ws cannot read (not UTF-8, too large, not masked) ends that socket, not the server.
    ws.on("error", () => {});
    ws.on("close", () => {
      clearInterval(ticker);
      clearInterval(pinger);
      sockets.delete(conn);
      if (sessions.get(conn.appKey) === conn) sessions.delete(conn.appKey);
    });
    ws.on("message", (data) => {
      if (conn.muted) return;
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
      const appKey = o.approvals.get(approval_key);
      const holder = sessions.get(appKey);
      if (holder && holder !== conn) {
        // KIS's words and header, tr_id "(null)": the answer is of the session, not of this request.
        ws.send(JSON.stringify({ header: { tr_id: "(null)", tr_key: "", encrypt: "N" }, body: { rt_cd: "9", msg_cd: "OPSP8996", msg1: "ALREADY IN USE appkey" } }));
        counts.refusedSessions += 1;
        return ws.close();
      }
      conn.appKey = appKey;
      sessions.set(appKey, conn);
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
    if (conn.ws.readyState === 1 && !conn.muted) {
      counts.frames += 1;
      conn.ws.send(text);
    }
  }

  /** H0STCNT0's 46 columns, those a client reads with KIS's meaning: a trade at the best bid
   *  or the best ask of the book the orderbook shows (the simulated market's price and a tick
   *  above), CCLD_DVSN saying which side took it; the change, the open, high and low of the
   *  day the REST quote has (high and low taking this trade in); the quote's volume, growing. */
  function trade(symbol, n) {
    const p = o.price(symbol);
    const { open, high, low, prevClose: prev, today } = o.day(symbol);
    const step = tick(p, symbol);
    const atAsk = n % 2 === 1;
    const last = atAsk ? p + step : p;
    const t = kst(o.now());
    const { prdy_vrss, prdy_vrss_sign, prdy_ctrt } = change(last, prev);
    const vol = 10 + (n % 7);
    const cols = [symbol, t.time, String(last), prdy_vrss_sign, prdy_vrss, prdy_ctrt, String(p),
      open, String(Math.max(Number(high), last)), String(Math.min(Number(low), last)), String(p + step), String(p),
      String(vol), String(Number(today.acml_vol) + n * 10)];
    const rest = Array(46 - cols.length).fill("0");
    rest[21 - cols.length] = atAsk ? "1" : "5"; // CCLD_DVSN: a buyer took the ask, a seller the bid
    return [...cols, ...rest];
  }

  /** H0STASP0's 59 columns: ten levels a side around the price, as the REST orderbook has
   *  them, the quantities moving with each frame. */
  function book(symbol, n) {
    const p = o.price(symbol);
    const step = tick(p, symbol);
    const asks = Array.from({ length: 10 }, (_, i) => String(p + (i + 1) * step));
    const bids = Array.from({ length: 10 }, (_, i) => String(p - i * step));
    const qty = (side) => Array.from({ length: 10 }, (_, i) => bookQty(symbol, side, i + 1, n));
    const [aq, bq] = [qty("a"), qty("b")];
    const sum = (xs) => String(xs.reduce((a, b) => a + b, 0));
    const cols = [symbol, kst(o.now()).time, "0", ...asks, ...bids, ...aq.map(String), ...bq.map(String), sum(aq), sum(bq)];
    return [...cols, ...Array(59 - cols.length).fill("0")];
  }

  /** H0STCNI0's 26 columns for a simulated order: `kind` "accepted", "modified", "cancelled",
   *  "fill" or "expired" (what an IOC or FOK order left, cancelled by the exchange), in KIS's
   *  codes (CNTG_YN 2 a fill, RCTF_CLS 1 a correction, 2 a cancel, ACPT_YN 3 취소(FOK/IOC)). */
  function notice(htsId, order, kind, qty, at) {
    const fill = kind === "fill";
    return [htsId, order.account ?? "", order.odno, order.orgOdno ?? "0000000000", order.side === "sell" ? "01" : "02",
      kind === "modified" ? "1" : kind === "cancelled" ? "2" : "0", order.dvsn ?? "00", "0", order.symbol,
      String(qty), String(fill ? at : 0), kst(o.now()).time, kind === "rejected" ? "1" : "0", fill ? "2" : "1", kind === "expired" ? "3" : fill ? "2" : "1", order.orgno ?? "",
      String(order.qty), "", "", { NXT: "2", SOR: "3" }[order.exchange] ?? "1", "Y", "", "", "", o.name(order.symbol), String(order.price)];
  }

  /** Sends an encrypted notice to every connection subscribed to the account's notices. */
  function notify(order, kind, qty, at = 0) {
    for (const conn of sockets) {
      for (const { tr_id, tr_key } of conn.subs.values()) {
        if (!NOTICES.has(tr_id)) continue;
        const c = crypto.createCipheriv("aes-256-cbc", Buffer.from(conn.key), Buffer.from(conn.iv));
        // Its first column is the HTS ID the notices were subscribed with.
        const plain = notice(tr_key, order, kind, qty, at).join("^");
        const sealed = Buffer.concat([c.update(plain, "utf8"), c.final()]).toString("base64");
        send(conn, `1|${tr_id}|001|${sealed}`);
      }
    }
  }

  return {
    counts,
    /** How many app keys hold a session now. */
    sessions: () => sessions.size,
    /** Closes every connection, as a network fault would. */
    dropAll() {
      for (const c of sockets) c.ws.terminate();
    },
    /** Sends nothing more on the connections open now, nor answers them, and never closes
     *  them: a network gone away without a close, as after a laptop slept. */
    muteAll() {
      for (const c of sockets) c.muted = true;
    },
    /** Sends `records` (each a list of fields) as one `trId` data frame to every connection
     *  subscribed to it for `trKey`: for benchmarks and tests that need frames of their own.
     *  Returns how many connections it went to. */
    send(trId, trKey, records) {
      let n = 0;
      for (const conn of sockets) {
        if (!conn.subs.has(`${trId}|${trKey}`)) continue;
        send(conn, `0|${trId}|${String(records.length).padStart(3, "0")}|${records.map((r) => r.join("^")).join("^")}`);
        n += 1;
      }
      return n;
    },
    /** The fields of the `n`th trade of `symbol`, as the ticker sends them. */
    tradeFields: (symbol, n = 0) => trade(symbol, n),
    /** A simulated order's fill (at price `at`), to every connection subscribed to notices. */
    notifyFill: (order, at) => notify(order, "fill", order.qty, at),
    /** A simulated order taken ("accepted", or "modified" / "cancelled" for a change), what an
     *  IOC or FOK order left cancelled by the exchange ("expired"), or refused by it ("rejected"). */
    notifyOrder: (order, kind, qty = order.qty) => notify(order, kind, qty),
    close: () => new Promise((r) => { for (const c of sockets) c.ws.terminate(); wss.close(() => r()); }),
  };
}

// kis-cors-proxy's realtime socket: relayed to the upstream's realtime host for the pages the
// proxy serves. Without keys, each page's socket is relayed as it is; holding the keys, the
// proxy is KIS's one client for them and keeps one session for all its pages.
import { WebSocket, WebSocketServer } from "ws";

/** The largest frame taken from KIS: the client's default `maxResponseBytes`. */
export const UPSTREAM_FRAME_BYTES = 4 * 1024 * 1024;

/** The subscriptions one shared session keeps, asked or waiting: KIS takes 41. */
const MAX_SUBSCRIPTIONS = 64;

/**
 * The realtime socket, for allowed origins and the proxy's own names only. Without keys it is
 * relayed frame for frame, a connection upstream for each page. Holding the keys, the proxy is
 * KIS's one client for them, and KIS allows one session an app key (a second connection is
 * refused `OPSP8996` and closed): every page's socket shares one connection (`sharedSession`).
 */
export function relayRealtime(server, { allowed, upstream, approvalKey, log, silenceMs, maxFrameBytes, handshakeMs }) {
  // A page's frames are KIS requests of a few hundred bytes: one past the REST body cap closes
  // its socket (1009) rather than being held in memory (ws would take up to 100 MiB).
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  // KIS's socket must open within the proxy's upstream timeout: a host that takes the connection
  // and never answers its upgrade would otherwise hold every page's session, which the silence
  // watch (an open socket's) never sees. Its frames are a few KB: one past UPSTREAM_FRAME_BYTES
  // (which the pages' clients would drop anyway) ends the session rather than being held, up to
  // ws's 100 MiB, and copied to every page.
  const open = () => new WebSocket(upstream, { handshakeTimeout: handshakeMs, maxPayload: UPSTREAM_FRAME_BYTES });
  const shared = approvalKey ? sharedSession({ open, approvalKey, log, silenceMs }) : null;
  server.on("upgrade", (req, socket, head) => {
    if (!allowed(req)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (page) => (shared ? shared.join(page) : relay(page, open(), log, maxFrameBytes)));
  });
  return { close: () => shared?.close() };
}

/**
 * A page's socket relayed to a connection of its own upstream, frame for frame. What the page
 * sends before KIS's socket opens waits, up to `maxQueuedBytes` in all (a page subscribes with
 * frames of a few hundred bytes, and KIS takes 41 subscriptions a session): a page that sends
 * more while KIS's host is slow to answer is closed (1008) rather than held in memory until the
 * handshake's timeout.
 */
function relay(page, up, log, maxQueuedBytes) {
  const queue = [];
  let queued = 0;
  up.on("open", () => { for (const m of queue.splice(0)) up.send(m); });
  up.on("message", (data) => page.readyState === 1 && page.send(String(data)));
  up.on("close", () => page.close());
  up.on("error", (e) => { log(`realtime upstream: ${e.code ?? e.message}`); page.close(); });
  page.on("close", () => up.close());
  page.on("error", (e) => { log(`realtime page: ${e.code ?? e.message}`); up.close(); });
  page.on("message", (data) => {
    const text = String(data);
    if (up.readyState === 1) return up.send(text);
    queued += Buffer.byteLength(text);
    if (queued <= maxQueuedBytes) return void queue.push(text);
    log(`realtime page: more than ${maxQueuedBytes} bytes sent before KIS's realtime host answered: closed`);
    page.close(1008, "too much sent before KIS answered");
    up.terminate();
  });
}

/**
 * One upstream session for every page's socket, the approval key the proxy's own. A
 * subscription is KIS's once, however many pages follow it: a page asking for one KIS has
 * taken already gets KIS's answer again (with the AES key and iv its fill notices are read
 * with), and KIS's subscription ends when the last page following it unsubscribes or leaves.
 * Each record of a data frame goes to the pages following its TR and key, once a record's first
 * field has named one (until then, to every page of the TR);
 * KIS's answers to the pages that asked; an answer of the session ("(null)", as OPSP8996) and
 * PINGPONG to every page. The proxy answers KIS's PINGPONG itself and drops the pages'.
 * When KIS closes the session, every page's socket closes, and their clients reconnect and
 * subscribe again. With no page left, the session closes after `idleMs`: a page that closes
 * its socket and opens another (a reload, "live" ticked again) keeps it. A session that hears
 * nothing for `silenceMs`, not even KIS's PINGPONG, is taken for dead and dropped as though KIS
 * had closed it: the pages' own watch would only find the proxy, whose socket is alive, and
 * come back to the same dead session.
 */
function sharedSession({ open, approvalKey, log, idleMs = 5000, silenceMs = 60_000 }) {
  let up = null;
  let queue = [];
  let idle = null;
  let heardAt = 0;
  let watch = null;
  /** Which session this is: a frame asked of one that ended while it waited for the approval
   *  key is not sent on the next, whose pages subscribe again for themselves. */
  let session = 0;
  const pages = new Set();
  /** "tr_id|tr_key" → { tr_id, tr_key, header, pages, waiting, answer } */
  const subs = new Map();
  /** The TRs whose data frames have named a subscription by their first field. */
  const keyedTrs = new Set();
  const toPage = (page, text) => page.readyState === 1 && page.send(text);
  const toUp = (text) => (up?.readyState === 1 ? up.send(text) : queue.push(text));
  /** A frame of ours to KIS, with the held approval key in its header. */
  const ask = async (header, tr_id, tr_key, on) => {
    const of = session;
    let key = header.approval_key;
    try {
      key = await approvalKey();
    } catch (e) {
      // Sent with the page's placeholder, which KIS refuses: the page's subscription rejects
      // with KIS's code, and the proxy's log says why.
      log(`realtime approval key: ${e.message}`);
    }
    if (of !== session) return;
    toUp(JSON.stringify({ header: { ...header, approval_key: key, tr_type: on ? "1" : "2" }, body: { input: { tr_id, tr_key } } }));
  };

  function connect() {
    clearTimeout(idle);
    idle = null;
    if (up) return;
    const socket = open();
    up = socket;
    socket.on("open", () => {
      heardAt = Date.now();
      for (const m of queue.splice(0)) socket.send(m);
    });
    socket.on("message", (data) => {
      heardAt = Date.now();
      fromKis(String(data));
    });
    socket.on("error", (e) => log(`realtime upstream: ${e.code ?? e.message}`));
    clearInterval(watch);
    if (silenceMs > 0) {
      watch = setInterval(() => {
        if (up !== socket || socket.readyState !== 1 || Date.now() - heardAt < silenceMs) return;
        log(`realtime upstream: nothing heard for ${silenceMs / 1000} s, not even KIS's PINGPONG: taken for dead and dropped`);
        socket.terminate();
      }, silenceMs / 4);
      watch.unref?.();
    }
    // KIS closed it (or it was taken for dead): the pages' clients come back and subscribe again.
    socket.on("close", () => {
      if (up !== socket) return;
      end();
      for (const page of pages) page.close();
    });
  }

  function fromKis(text) {
    if (text[0] === "0" || text[0] === "1") {
      const [flag, tr_id = "", count = "", payload = ""] = splitData(text);
      const of = [...subs.values()].filter((s) => s.tr_id === tr_id);
      // A page still waiting for KIS's answer too: a KIS that sends data took the subscription.
      const pagesOf = (list) => list.flatMap((s) => [...s.pages, ...s.waiting]);
      // Encrypted (fill notices): the proxy cannot read its key, so every page of the TR.
      if (flag === "1") {
        for (const page of new Set(pagesOf(of))) toPage(page, text);
        return;
      }
      // Each record to the pages of its own key, as the client routes them: a frame of several
      // records may hold more than one symbol's.
      const records = splitRecords(payload, count);
      const to = new Map();
      for (const record of records) {
        const keyed = of.filter((s) => s.tr_key === record[0]);
        // Routed by key once a record of the TR has named a subscription (most lead with the
        // symbol; H0UNMKO0 leads with a flag, and goes to every page of the TR). After that,
        // one naming none is nobody's, as the client takes it (src/realtime/routing.rs): a
        // trade still in flight when the last page following its symbol left, which would
        // otherwise reach the pages of other symbols.
        if (keyed.length) keyedTrs.add(tr_id);
        else if (keyedTrs.has(tr_id)) continue;
        for (const page of pagesOf(keyed.length ? keyed : of)) {
          if (!to.has(page)) to.set(page, []);
          if (to.get(page).at(-1) !== record) to.get(page).push(record);
        }
      }
      for (const [page, mine] of to) {
        // A page given every record gets KIS's frame as it came.
        const frame = mine.length === records.length
          ? text
          : `0|${tr_id}|${String(mine.length).padStart(3, "0")}|${mine.map((r) => r.join("^")).join("^")}`;
        toPage(page, frame);
      }
      return;
    }
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return log("realtime upstream: a frame neither data nor JSON was dropped");
    }
    const tr_id = String(m?.header?.tr_id ?? "");
    if (tr_id === "PINGPONG") {
      toUp(text);
      for (const page of pages) toPage(page, text);
      return;
    }
    if (tr_id === "" || tr_id === "(null)") {
      for (const page of pages) toPage(page, text);
      return;
    }
    const msg1 = String(m?.body?.msg1 ?? "").trim();
    // The answer to an unsubscribe the proxy sent: nobody waits for it, and it must not be
    // taken for the answer to a subscription of the same TR and key asked since.
    if (msg1.startsWith("UNSUB")) return;
    const id = `${tr_id}|${m?.header?.tr_key ?? ""}`;
    const sub = subs.get(id);
    if (!sub) return;
    for (const page of sub.waiting) toPage(page, text);
    if (m?.body?.rt_cd === "0" || msg1 === "ALREADY IN SUBSCRIBE") {
      sub.answer ??= text;
      for (const page of sub.waiting) sub.pages.add(page);
      sub.waiting.clear();
    } else {
      sub.waiting.clear();
      if (!sub.pages.size) subs.delete(id);
    }
  }

  function fromPage(page, text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return; // KIS takes JSON requests only
    }
    if (m?.header?.tr_id === "PINGPONG") return;
    const tr_id = String(m?.body?.input?.tr_id ?? "");
    const tr_key = String(m?.body?.input?.tr_key ?? "");
    const id = `${tr_id}|${tr_key}`;
    const sub = subs.get(id);
    if (m?.header?.tr_type === "2") {
      toPage(page, JSON.stringify({ header: { tr_id, tr_key, encrypt: "N" }, body: { rt_cd: "0", msg_cd: "OPSP0000", msg1: "UNSUBSCRIBE SUCCESS" } }));
      if (sub) leave(page, id, sub);
      return;
    }
    if (sub?.answer) {
      sub.pages.add(page);
      return toPage(page, sub.answer);
    }
    if (sub) return void sub.waiting.add(page);
    // KIS refuses past 41 subscriptions a session; the proxy, past a few more than that (asked
    // at once, KIS's own refusals are what the pages see), refuses as KIS does without
    // sending, rather than keep a subscription and a frame for every key a page makes up.
    if (subs.size >= MAX_SUBSCRIPTIONS) {
      const body = { rt_cd: "1", msg_cd: "OPSP0008", msg1: "MAX SUBSCRIBE OVER" };
      return toPage(page, JSON.stringify({ header: { tr_id, tr_key, encrypt: "N" }, body }));
    }
    const header = { ...(m?.header ?? {}) };
    subs.set(id, { tr_id, tr_key, header, pages: new Set(), waiting: new Set([page]), answer: null });
    void ask(header, tr_id, tr_key, true);
  }

  /** `page` no longer follows `sub`: KIS's subscription ends with its last page. */
  function leave(page, id, sub) {
    sub.pages.delete(page);
    sub.waiting.delete(page);
    if (sub.pages.size || sub.waiting.size || subs.get(id) !== sub) return;
    subs.delete(id);
    if (up) void ask(sub.header, sub.tr_id, sub.tr_key, false);
  }

  return {
    join(page) {
      pages.add(page);
      connect();
      page.on("message", (data) => fromPage(page, String(data)));
      // A frame ws cannot read (not UTF-8, past the cap, not masked): ws closes that page's
      // socket, and the close below lets its subscriptions go. Unheard, the error would end the
      // process, and with it every page's session and the keys' token.
      page.on("error", (e) => log(`realtime page: ${e.code ?? e.message}`));
      page.on("close", () => {
        pages.delete(page);
        for (const [id, sub] of subs) leave(page, id, sub);
        if (pages.size) return;
        idle = setTimeout(() => {
          idle = null;
          end();
        }, idleMs);
        idle.unref?.();
      });
    },
    close() {
      clearTimeout(idle);
      end();
    },
  };

  /** Forgets the session and closes its socket (already closed, when KIS closed it); the
   *  socket's close handler then has nothing to do. */
  function end() {
    session += 1;
    clearInterval(watch);
    const socket = up;
    up = null;
    queue = [];
    subs.clear();
    socket?.close();
  }
}

/** A data frame's records, each its list of fields: `count` of them when the fields split
 *  evenly, else the whole payload as one (the client drops a frame cut short, with a warning). */
function splitRecords(payload, count) {
  const fields = payload.split("^");
  // As the client reads it (Rust's usize parse: digits, a leading "+" allowed).
  const n = /^\+?\d+$/.test(count.trim()) ? Number(count.trim()) : 1;
  if (n <= 1 || fields.length % n !== 0) return [fields];
  const per = fields.length / n;
  return Array.from({ length: n }, (_, i) => fields.slice(i * per, (i + 1) * per));
}

/** A data frame's four parts: flag, TR, count, payload (whose own '|'s, if any, stay in it). */
function splitData(text) {
  const parts = [];
  let at = 0;
  for (let i = 0; i < 3; i += 1) {
    const bar = text.indexOf("|", at);
    if (bar < 0) break;
    parts.push(text.slice(at, bar));
    at = bar + 1;
  }
  parts.push(text.slice(at));
  return parts;
}

// A CORS proxy for browser dashboards: forwards only /oauth2/* and /uapi/* to ONE configured KIS
// host, never to a host named in the request; answers preflights for allow-listed origins only;
// caps bodies; turns a hung upstream into a clear 504; never logs a header value; answers only
// requests addressed to its own names (a DNS-rebinding page's Host is refused); aborts the
// upstream request when the browser goes away. Relays the realtime socket; holding the keys,
// one KIS session for all its pages, as KIS allows one an app key.
// Node only, no dependencies.
import http from "node:http";
import https from "node:https";
import crypto from "node:crypto";
import { listen } from "../listen.mjs";
import { WebSocket, WebSocketServer } from "ws";

export const UPSTREAMS = {
  real: "https://openapi.koreainvestment.com:9443",
  mock: "https://openapivts.koreainvestment.com:29443",
};
/** KIS's realtime (websocket) hosts; for any other upstream, the same host over ws://. */
export const REALTIME_UPSTREAMS = {
  real: "ws://ops.koreainvestment.com:21000",
  mock: "ws://ops.koreainvestment.com:31000",
};

/** Request headers a KIS call may carry; nothing else is forwarded. */
export const KIS_REQUEST_HEADERS = [
  "authorization", "appkey", "appsecret", "personalseckey", "tr_id", "tr_cont", "custtype", "seq_no",
  "mac_address", "phone_number", "ip_addr", "hashkey", "gt_uid", "content-type",
];
const EXPOSED = ["tr_cont", "tr_id", "gt_uid"];
const PASSED_BACK = ["content-type", ...EXPOSED];

/**
 * @param {object} o
 * @param {string} o.upstream "real", "mock" or an http(s) URL
 * @param {string[]} o.allowOrigins exact origins, e.g. "http://127.0.0.1:5173"
 * @param {number} [o.port] 0 = any free port
 * @param {number} [o.maxBodyBytes] default 64 KiB
 * @param {number} [o.upstreamTimeoutMs] default 30 s
 * @param {boolean} [o.allowNoOrigin] also serve requests without an Origin (scripts, curl)
 * @param {string[]} [o.allowHosts] names the proxy is reached by besides 127.0.0.1, localhost
 *   and [::1] (e.g. "dash.example" or "dash.example:8443"); any other Host header is refused
 * @param {(line: string) => void} [o.log]
 * @param {{appKey: string, appSecret: string, env?: "real"|"mock", rateLimitPerSec?: number, tokenStore?: object}} [o.hold]
 *   The proxy holds the keys and the token: pages send placeholders, and every /uapi call goes
 *   through the package's own KisClient here (token, limiter, retries), so a hosted dashboard
 *   never sees a secret. `env` is required unless the upstream is "real", "mock" or a KIS host
 *   (the real market is never guessed); `rateLimitPerSec` defaults to the env's (18 real, 1 mock).
 */
export async function startCorsProxy(o) {
  const target = new URL(UPSTREAMS[o.upstream] ?? o.upstream);
  if (!["http:", "https:"].includes(target.protocol)) throw new Error(`upstream must be real, mock or an http(s) URL, got ${o.upstream}`);
  const allow = new Set(o.allowOrigins ?? []);
  const maxBody = o.maxBodyBytes ?? 64 * 1024;
  const timeoutMs = o.upstreamTimeoutMs ?? 30_000;
  const log = o.log ?? ((line) => console.log(line));
  const client = target.protocol === "https:" ? https : http;
  const basePath = target.pathname.replace(/\/$/, "");
  const upstreamEnv = { real: "real", mock: "mock" }[o.upstream] ?? kisHostEnv(target.hostname);
  const held = o.hold ? await holdingClient(o.hold, upstreamEnv, target.origin + basePath, log, timeoutMs) : null;
  let hosts = new Set();
  /** Why a request (or a socket's upgrade) is refused, or null: the same rules for both.
   *  DNS rebinding: a page of attacker.example whose name now points here sends its own name
   *  as Host, and is same-origin with itself, so Origin checks alone never see it. */
  const refusal = (req) => {
    if (!hosts.has(String(req.headers.host ?? "").toLowerCase())) return [421, "host not allowed"];
    const origin = req.headers.origin;
    if (origin ? !allow.has(origin) : !o.allowNoOrigin) return [403, "origin not allowed"];
    return null;
  };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const origin = req.headers.origin;
    const path = req.url.split("?")[0];
    const done = (status, body, extra = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...cors(), ...extra });
      res.end(body === undefined ? undefined : JSON.stringify(body));
      log(`${req.method} ${path} → ${status} ${Date.now() - started} ms`);
    };
    const cors = () => (origin && allow.has(origin) ? { "access-control-allow-origin": origin, vary: "Origin", "access-control-expose-headers": EXPOSED.join(", ") } : {});

    const refused = refusal(req);
    if (refused) return done(refused[0], { error: refused[1] });
    if (req.method === "OPTIONS") {
      return done(204, undefined, {
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": KIS_REQUEST_HEADERS.join(", "),
        "access-control-max-age": "600",
      });
    }
    // Origin-form paths only: an absolute URL or a path outside KIS's two trees is never forwarded.
    if (!req.url.startsWith("/") || req.url.startsWith("//") || path.includes("..") || path.includes("%") || !/^\/(oauth2|uapi)\//.test(path)) {
      return done(404, { error: "only /oauth2/* and /uapi/* are proxied" });
    }
    if (req.method !== "GET" && req.method !== "POST") return done(405, { error: "GET or POST" });
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBody) {
      done(413, { error: `body over ${maxBody} bytes` }, { connection: "close" });
      return req.destroy();
    }
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > maxBody) {
        done(413, { error: `body over ${maxBody} bytes` }, { connection: "close" });
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      if (held) return answerHeld(held, req, body.toString("utf8"), done);
      const headers = {};
      for (const h of KIS_REQUEST_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
      if (body.length) headers["content-length"] = String(body.length);
      const up = client.request(
        { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: basePath + req.url, headers },
        (upRes) => {
          const back = {};
          for (const h of PASSED_BACK) if (upRes.headers[h] !== undefined) back[h] = upRes.headers[h];
          res.writeHead(upRes.statusCode, { ...back, ...cors() });
          upRes.pipe(res);
          upRes.on("end", () => log(`${req.method} ${path} → ${upRes.statusCode} ${Date.now() - started} ms`));
          upRes.on("error", () => res.destroy());
        },
      );
      up.setTimeout(timeoutMs, () => {
        up.destroy();
        done(504, { error: `KIS did not answer within ${timeoutMs} ms` });
      });
      up.on("error", (e) => {
        if (res.headersSent) return res.destroy();
        done(502, { error: `KIS unreachable: ${e.code ?? e.message}` });
      });
      // The browser went away before the answer: nobody will read it, so KIS need not send it.
      res.on("close", () => {
        if (!res.writableFinished) up.destroy();
      });
      up.end(body);
    });
  });
  const realtime = relayRealtime(server, {
    allowed: (req) => refusal(req) === null,
    upstream: REALTIME_UPSTREAMS[o.upstream] ?? `${target.protocol === "https:" ? "wss:" : "ws:"}//${target.host}`,
    approvalKey: held ? () => heldApprovalKey(o.hold, target.origin + basePath) : null,
    log,
  });
  const listening = await listen(server, o.port ?? 0, o.host);
  const names = ["127.0.0.1", "localhost", "[::1]", ...(o.host ? [o.host] : []), ...(o.allowHosts ?? [])];
  hosts = new Set(names.flatMap((n) => {
    const name = n.toLowerCase();
    return /:\d+$/.test(name) && !name.endsWith("]") ? [name] : [name, `${name}:${listening.port}`];
  }));
  return {
    ...listening,
    upstream: target.origin,
    close: () => {
      realtime.close();
      return listening.close();
    },
  };
}

/** The placeholder a page receives as its token in hold mode. */
export const HELD_TOKEN = "held-by-proxy";

/** The environment of one of KIS's own hosts; undefined for any other. */
function kisHostEnv(hostname) {
  return { "openapi.koreainvestment.com": "real", "openapivts.koreainvestment.com": "mock" }[hostname.toLowerCase()];
}

async function holdingClient(hold, upstreamEnv, baseUrl, log, timeoutMs) {
  if (!hold.appKey || !hold.appSecret) throw new Error("hold mode needs appKey and appSecret");
  const env = hold.env ?? upstreamEnv;
  if (!env) throw new Error(`hold mode needs the environment of ${baseUrl} ("real" or "mock"; KIS_ENV for the CLI): it is not a KIS host, and the real market is never guessed`);
  if (upstreamEnv && env !== upstreamEnv) throw new Error(`hold mode: env "${env}" does not match the upstream, a KIS ${upstreamEnv} host`);
  const { KisClient } = await import("kis-wasm");
  return new KisClient({
    appKey: hold.appKey, appSecret: hold.appSecret, env, baseUrl, tokenStore: hold.tokenStore, timeoutMs,
    ...(hold.rateLimitPerSec !== undefined ? { rateLimitPerSec: hold.rateLimitPerSec } : {}),
    logger: { warn: (l) => log(l), error: (l) => log(l) },
  });
}

/**
 * The realtime socket, for allowed origins and the proxy's own names only. Without keys it is
 * relayed frame for frame, a connection upstream for each page. Holding the keys, the proxy is
 * KIS's one client for them, and KIS allows one session an app key (a second connection is
 * refused `OPSP8996` and closed): every page's socket shares one connection (`sharedSession`).
 */
function relayRealtime(server, { allowed, upstream, approvalKey, log }) {
  const wss = new WebSocketServer({ noServer: true });
  const shared = approvalKey ? sharedSession({ upstream, approvalKey, log }) : null;
  server.on("upgrade", (req, socket, head) => {
    if (!allowed(req)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (page) => (shared ? shared.join(page) : relay(page, upstream, log)));
  });
  return { close: () => shared?.close() };
}

/** A page's socket relayed to a connection of its own upstream, frame for frame. */
function relay(page, upstream, log) {
  const up = new WebSocket(upstream);
  const queue = [];
  up.on("open", () => { for (const m of queue.splice(0)) up.send(m); });
  up.on("message", (data) => page.readyState === 1 && page.send(String(data)));
  up.on("close", () => page.close());
  up.on("error", (e) => { log(`realtime upstream: ${e.code ?? e.message}`); page.close(); });
  page.on("close", () => up.close());
  page.on("error", () => up.close());
  page.on("message", (data) => {
    if (up.readyState === 1) up.send(String(data));
    else queue.push(String(data));
  });
}

/**
 * One upstream session for every page's socket, the approval key the proxy's own. A
 * subscription is KIS's once, however many pages follow it: a page asking for one KIS has
 * taken already gets KIS's answer again (with the AES key and iv its fill notices are read
 * with), and KIS's subscription ends when the last page following it unsubscribes or leaves.
 * Data frames go to the pages following their TR (and key, where the first field is it);
 * KIS's answers to the pages that asked; an answer of the session ("(null)", as OPSP8996) and
 * PINGPONG to every page. The proxy answers KIS's PINGPONG itself and drops the pages'.
 * When KIS closes the session, every page's socket closes, and their clients reconnect and
 * subscribe again. With no page left, the session closes after `idleMs`: a page that closes
 * its socket and opens another (a reload, "live" ticked again) keeps it.
 */
function sharedSession({ upstream, approvalKey, log, idleMs = 5000 }) {
  let up = null;
  let queue = [];
  let idle = null;
  const pages = new Set();
  /** "tr_id|tr_key" → { tr_id, tr_key, header, pages, waiting, answer } */
  const subs = new Map();
  const toPage = (page, text) => page.readyState === 1 && page.send(text);
  const toUp = (text) => (up?.readyState === 1 ? up.send(text) : queue.push(text));
  /** A frame of ours to KIS, with the held approval key in its header. */
  const ask = async (header, tr_id, tr_key, on) => {
    let key = header.approval_key;
    try {
      key = await approvalKey();
    } catch (e) {
      // Sent with the page's placeholder, which KIS refuses: the page's subscription rejects
      // with KIS's code, and the proxy's log says why.
      log(`realtime approval key: ${e.message}`);
    }
    toUp(JSON.stringify({ header: { ...header, approval_key: key, tr_type: on ? "1" : "2" }, body: { input: { tr_id, tr_key } } }));
  };

  function connect() {
    clearTimeout(idle);
    idle = null;
    if (up) return;
    const socket = new WebSocket(upstream);
    up = socket;
    socket.on("open", () => { for (const m of queue.splice(0)) socket.send(m); });
    socket.on("message", (data) => fromKis(String(data)));
    socket.on("error", (e) => log(`realtime upstream: ${e.code ?? e.message}`));
    socket.on("close", () => {
      if (up !== socket) return;
      up = null;
      queue = [];
      subs.clear();
      for (const page of pages) page.close();
    });
  }

  function fromKis(text) {
    if (text[0] === "0" || text[0] === "1") {
      const [, tr_id = "", , payload = ""] = splitData(text);
      const of = [...subs.values()].filter((s) => s.tr_id === tr_id);
      const first = text[0] === "0" ? payload.split("^", 1)[0] : null;
      const keyed = of.filter((s) => s.tr_key === first);
      const to = new Set((keyed.length ? keyed : of).flatMap((s) => [...s.pages]));
      for (const page of to) toPage(page, text);
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
    if (msg1 === "UNSUBSCRIBE SUCCESS") return;
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

  /** Closes the session of the proxy's own will (its close handler then has nothing to do). */
  function end() {
    const socket = up;
    up = null;
    queue = [];
    subs.clear();
    socket?.close();
  }
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

/** The held keys' approval key (KIS's /oauth2/Approval), asked again once it is 12 hours old:
 *  KIS gives it 24 hours and checks it when a connection starts, and a proxy runs for days. */
export const APPROVAL_REUSE_MS = 12 * 3_600_000;
const approvalKeys = new Map();
function heldApprovalKey(hold, baseUrl, now = Date.now()) {
  const held = approvalKeys.get(baseUrl);
  if (!held || !(now - held.at < APPROVAL_REUSE_MS)) {
    const asked = fetch(`${baseUrl}/oauth2/Approval`, {
      method: "POST", headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ grant_type: "client_credentials", appkey: hold.appKey, secretkey: hold.appSecret }),
    }).then(async (r) => {
      const b = await r.json();
      if (!b.approval_key) throw new Error(`KIS refused the approval key (HTTP ${r.status})`);
      return b.approval_key;
    });
    const entry = { asked, at: now };
    asked.catch(() => approvalKeys.get(baseUrl) === entry && approvalKeys.delete(baseUrl));
    approvalKeys.set(baseUrl, entry);
  }
  return approvalKeys.get(baseUrl).asked;
}

async function answerHeld(kis, req, body, done) {
  const url = new URL(req.url, "http://proxy");
  if (url.pathname === "/oauth2/tokenP") {
    return done(200, { access_token: HELD_TOKEN, token_type: "Bearer", expires_in: 86400 });
  }
  if (url.pathname === "/oauth2/Approval") {
    // The real one is the proxy's, written into the page's frames on their way to KIS.
    return done(200, { approval_key: HELD_TOKEN });
  }
  if (url.pathname === "/uapi/hashkey") {
    let parsed = null;
    try { parsed = JSON.parse(body); } catch { /* echoed as null */ }
    return done(200, { BODY: parsed, HASH: crypto.createHash("sha256").update(body).digest("hex") });
  }
  try {
    const r = await kis.request({
      method: req.method, path: url.pathname, trId: req.headers.tr_id ?? "", trCont: req.headers.tr_cont ?? "",
      query: Object.fromEntries(url.searchParams), ...(req.method === "POST" ? { body: JSON.parse(body || "{}") } : {}),
    });
    done(r.status, r.body, r.trCont ? { tr_cont: r.trCont } : {});
  } catch (e) {
    // A POST the held client could not account for, with no answer from KIS behind it (it timed
    // out or lost the connection): 504, as for a timeout. The page's own client then looks the
    // order up but never sends it again; after a 502 it would resend an order that looked
    // absent, while the request KIS did not answer may still be booked.
    const unanswered = e.kind === "timeout" || (e.kind === "orderStatusUnknown" && e.status === undefined);
    const status = e.kind === "validation" ? 400 : unanswered ? 504 : e.status ?? 502;
    let payload = { error: e.message };
    try { if (e.body) payload = JSON.parse(e.body); } catch { /* not JSON: keep the message */ }
    done(status, payload);
  }
}

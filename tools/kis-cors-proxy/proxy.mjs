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
import { onlyKnown } from "../options.mjs";
import { relayRealtime } from "./realtime.mjs";

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
 * @param {number} [o.maxBodyBytes] default 64 KiB; a page's realtime frame too
 * @param {number} [o.upstreamTimeoutMs] default 30 s
 * @param {boolean} [o.allowNoOrigin] also serve requests without an Origin (scripts, curl)
 * @param {string[]} [o.allowHosts] names the proxy is reached by besides 127.0.0.1, localhost
 *   and [::1] (e.g. "dash.example" or "dash.example:8443"); any other Host header is refused
 * @param {number} [o.realtimeSilenceMs] holding the keys: how long the one KIS realtime session
 *   may hear nothing, not even KIS's PINGPONG, before it is taken for dead (default 60 s; 0 never)
 * @param {(line: string) => void} [o.log]
 * @param {{appKey: string, appSecret: string, env?: "real"|"mock", rateLimitPerSec?: number, tokenStore?: object}} [o.hold]
 *   The proxy holds the keys and the token: pages send placeholders, and every /uapi call goes
 *   through the package's own KisClient here (token, limiter, retries), so a hosted dashboard
 *   never sees a secret. `env` is required unless the upstream is "real", "mock" or a KIS host
 *   (the real market is never guessed); `rateLimitPerSec` defaults to the env's (18 real, 1 mock).
 */
export async function startCorsProxy(o) {
  onlyKnown("startCorsProxy", o, ["upstream", "allowOrigins", "port", "host", "maxBodyBytes", "upstreamTimeoutMs", "allowNoOrigin", "allowHosts", "realtimeSilenceMs", "log", "hold"]);
  onlyKnown("startCorsProxy: hold", o.hold, ["appKey", "appSecret", "env", "rateLimitPerSec", "tokenStore"]);
  const target = new URL(UPSTREAMS[o.upstream] ?? o.upstream);
  if (!["http:", "https:"].includes(target.protocol)) throw new Error(`upstream must be real, mock or an http(s) URL, got ${o.upstream}`);
  const allow = new Set(o.allowOrigins ?? []);
  // A cap that is not a number (a typo on the command line, NaN) would be no cap at all: every
  // comparison with NaN is false.
  const maxBody = whole("maxBodyBytes", o.maxBodyBytes, 64 * 1024, 1);
  const timeoutMs = whole("upstreamTimeoutMs", o.upstreamTimeoutMs, 30_000, 1);
  whole("realtimeSilenceMs", o.realtimeSilenceMs, 0, 0);
  whole("port", o.port, 0, 0);
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
    approvalKey: held ? () => heldApprovalKey(o.hold, target.origin + basePath, timeoutMs) : null,
    log,
    silenceMs: o.realtimeSilenceMs,
    maxFrameBytes: maxBody,
    handshakeMs: timeoutMs,
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

/** Option `name`: `fallback` when not given, else a whole number from `min` (up to 2^31 − 1,
 *  Node's longest timer). */
function whole(name, value, fallback, min) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new Error(`${name} must be a whole number from ${min}, got ${value}`);
  }
  return value;
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

/** The held keys' approval key (KIS's /oauth2/Approval), asked again once it is 12 hours old:
 *  KIS gives it 24 hours and checks it when a connection starts, and a proxy runs for days. */
export const APPROVAL_REUSE_MS = 12 * 3_600_000;
const approvalKeys = new Map();
function heldApprovalKey(hold, baseUrl, timeoutMs, now = Date.now()) {
  const held = approvalKeys.get(baseUrl);
  if (!held || !(now - held.at < APPROVAL_REUSE_MS)) {
    // Bounded as the proxy's other upstream requests are: unanswered, it would be the key every
    // page's subscription waits on, for the 12 hours until it is asked again.
    const asked = (async () => {
      try {
        const r = await fetch(`${baseUrl}/oauth2/Approval`, {
          method: "POST", headers: { "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify({ grant_type: "client_credentials", appkey: hold.appKey, secretkey: hold.appSecret }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const b = await r.json().catch((e) => {
          if (e?.name === "TimeoutError") throw e;
          return {}; // not JSON: a gateway's page, said below by its status
        });
        if (!b.approval_key) throw new Error(`KIS refused the approval key (HTTP ${r.status})`);
        return b.approval_key;
      } catch (e) {
        throw e?.name === "TimeoutError" ? new Error(`KIS did not answer the approval key request within ${timeoutMs} ms`) : e;
      }
    })();
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
  if (url.pathname === "/oauth2/revokeP") {
    // The token is the proxy's, shared by every page it serves: not a page's to revoke (each
    // revocation would have the proxy issued another, and KIS texts the user at every issuance).
    return done(403, { error: "this proxy holds the keys and the token: revoke it where the keys are kept (a script with them and the proxy's KIS_TOKEN_FILE), not from a page" });
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
  let posted;
  if (req.method === "POST") {
    // The page's own mistake, answered as one: a 5xx would have its client look an order up
    // that was never sent.
    try {
      posted = JSON.parse(body || "{}");
    } catch {
      return done(400, { error: "the request body is not JSON" });
    }
  }
  try {
    const r = await kis.request({
      method: req.method, path: url.pathname, trId: req.headers.tr_id ?? "", trCont: req.headers.tr_cont ?? "",
      query: Object.fromEntries(url.searchParams), body: posted,
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

// What a panic in the wasm does (src/wasm/trap.rs), watched through the probe build
// (scripts/build-probe.sh: the package whose fetch panics on a URL with /panic-probe in it).
// A panic inside a call's task comes out of a microtask, where no caller can catch it, so each
// scenario runs in a process of its own: this file, started again with TRAP_SCENARIO set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { PRICE, response } from "./fake-fetch.mjs";
import { APP_KEY, APP_SECRET } from "./secrets.mjs";

const probeEntry = fileURLToPath(new URL("../../target/probe/node/index.cjs", import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

/** Runs `scenario` in a child process; its report (JSON on stdout) and how it ended. */
function run(scenario) {
  const child = spawnSync(process.execPath, [thisFile], { env: { ...process.env, TRAP_SCENARIO: scenario }, encoding: "utf8", timeout: 30_000 });
  const line = child.stdout.split("\n").find((l) => l.startsWith("{"));
  return { status: child.status, stderr: child.stderr, report: line ? JSON.parse(line) : null };
}

const STOPPED = /^kis-wasm stopped after an internal error at src\/wasm\/fetch\.rs:\d+ \(a bug of kis-wasm: please report it\)/;

if (!process.env.TRAP_SCENARIO) {
  test("trap: after a panic, calls in flight fail (an order as orderStatusUnknown), later ones are refused, and nothing more is sent", () => {
    const { status, stderr, report } = run("handled");
    // Ended by itself, once the timers of the calls that were in flight had fired.
    assert.equal(status, 0, stderr);
    const r = report;
    // Calls that were waiting on their answers when another call panicked.
    assert.equal(r.quote.kind, "decode");
    assert.match(r.quote.message, STOPPED);
    assert.equal(r.order.kind, "orderStatusUnknown");
    assert.match(r.order.message, STOPPED);
    assert.match(r.order.message, /The order may have reached KIS: check today's orders \(getOrders\(\) for buy, sell, cancel and modify, the market's list for an order through call\(\) or request\(\), or KIS's app\)/);
    assert.equal(r.write.kind, "orderStatusUnknown", "a POST through request() may be an order too");
    assert.equal(r.probe.kind, "decode", "the call that panicked fails like the others");
    assert.equal(r.subscribe.kind, "decode", "a realtime subscription waiting on KIS's answer too");
    assert.ok(r.allKisErrors, "each is a KisError");
    // The panic itself left the wasm as that KisError, once; the message never quotes the answer.
    assert.deepEqual(r.uncaught.map((u) => u.name), ["KisError"]);
    assert.match(r.uncaught[0].message, STOPPED);
    // Later calls, of every kind, are refused with the same error.
    assert.equal(r.later.kind, "decode");
    assert.match(r.later.message, STOPPED);
    assert.equal(r.laterOrder.kind, "orderStatusUnknown");
    assert.match(r.newClient, STOPPED);
    assert.match(r.refresh, STOPPED);
    assert.match(r.token, STOPPED);
    assert.match(r.onState, STOPPED);
    assert.match(r.realtime, STOPPED);
    // The realtime socket falls quiet: a frame after the stop closes it, and no callback runs.
    assert.equal(r.socketClosed, true);
    assert.equal(r.ticks, 0);
    assert.equal(r.subscriptions, 0);
    assert.equal(r.close, "did not throw");
    // The fetches held when it panicked were answered afterwards: nothing of the package ran
    // on, nothing more was sent, and the refresher's timer no longer calls the wasm.
    assert.equal(r.sentAfter, 0);
    assert.equal(r.lateUncaught, 0);
    // The pure helpers touch no client, and still work.
    assert.equal(r.helper, "TTTC0012U");
  });

  test("trap: a panic in a process that does not handle uncaught exceptions ends it with the KisError that says why", () => {
    const { status, stderr } = run("unhandled");
    assert.equal(status, 1);
    assert.match(stderr, /KisError: kis-wasm stopped after an internal error at src\/wasm\/fetch\.rs:\d+/);
    assert.doesNotMatch(stderr, /RuntimeError|unreachable/);
  });
} else {
  await scenario(process.env.TRAP_SCENARIO);
}

async function scenario(mode) {
  const { KisClient, KisError, trIdFor } = createRequire(import.meta.url)(probeEntry);
  const uncaught = [];
  if (mode === "handled") process.on("uncaughtException", (e) => uncaught.push(e));
  // A fetch that answers tokenP at once and holds every other request until released.
  const sent = [];
  const held = [];
  const fetch = async (url) => {
    sent.push(url);
    if (url.endsWith("/oauth2/tokenP")) return response(200, { access_token: `fake-token-1-${"q".repeat(30)}`, expires_in: 86400 });
    if (url.endsWith("/oauth2/Approval")) return response(200, { approval_key: "fake-approval-key" });
    return new Promise((resolve) => held.push(() => resolve(response(200, PRICE))));
  };
  const options = { appKey: APP_KEY, appSecret: APP_SECRET, account: "12345678-01", baseUrl: "http://kis.test", env: "real", rateLimitPerSec: 0, hashkey: false, logger: null, timeoutMs: 1500, fetch };
  const kis = new KisClient(options);
  await kis.ensureToken();
  const stopRefresh = kis.startTokenRefresh(1000);
  // A realtime connection whose socket the scenario drives by hand.
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.frames = [];
      this.closed = false;
      sockets.push(this);
    }
    send(frame) {
      this.frames.push(frame);
    }
    close() {
      this.closed = true;
    }
  }
  // The watch over a silent connection is a timer, and after a stop it is cleared by nothing:
  // a short silenceMs lets the process end within a quarter of it rather than of 60 s.
  const rt = kis.realtime({ WebSocket: FakeSocket, url: "ws://kis.test", silenceMs: 5000 });
  const ticks = [];
  const subscribed = rt.trades("005930", (t) => ticks.push(t));
  while (sockets.length === 0) await new Promise((r) => setTimeout(r, 1));
  const socket = sockets[0];
  socket.onopen({ target: socket });
  while (socket.frames.length === 0) await new Promise((r) => setTimeout(r, 1));
  const quote = kis.getPrice("005930");
  const order = kis.buy({ symbol: "005930", quantity: 1, price: 70000 });
  const write = kis.request({ method: "POST", path: "/uapi/domestic-stock/v1/trading/some-tr", trId: "TTTC0000U", body: {} });
  while (held.length < 3) await new Promise((r) => setTimeout(r, 1));
  const probe = kis.request({ path: "/uapi/panic-probe", trId: "FHKST01010100" });
  const settled = await Promise.allSettled([quote, order, write, probe, subscribed]);
  const [q, o, w, p, sub] = settled.map((s) => s.reason);
  const reason = async (promise) => promise.then(() => ({ kind: "resolved" }), (e) => ({ kind: e.kind, message: e.message }));
  const thrown = (f) => {
    try {
      f();
      return "did not throw";
    } catch (e) {
      return e.message;
    }
  };
  const report = {
    quote: { kind: q?.kind, message: q?.message },
    order: { kind: o?.kind, message: o?.message },
    write: { kind: w?.kind },
    probe: { kind: p?.kind },
    subscribe: { kind: sub?.kind },
    allKisErrors: [q, o, w, p, sub].every((e) => e instanceof KisError),
    uncaught: uncaught.map((e) => ({ name: e?.name, message: e?.message })),
  };
  const before = sent.length;
  const seen = uncaught.length;
  report.later = await reason(kis.getPrice("005930"));
  report.laterOrder = await reason(kis.sell({ symbol: "005930", quantity: 1 }));
  report.newClient = thrown(() => new KisClient(options));
  report.refresh = thrown(() => kis.startTokenRefresh());
  report.token = thrown(() => kis.token);
  report.onState = thrown(() => rt.onState(() => {}));
  report.realtime = thrown(() => kis.realtime({ WebSocket: FakeSocket, url: "ws://kis.test" }));
  // A trade arriving on the socket after the stop closes it, and reaches no callback.
  socket.onmessage({ target: socket, data: "0|H0STCNT0|001|005930^093000^70000^2^900^1.30" });
  report.socketClosed = socket.closed;
  report.ticks = ticks.length;
  report.subscriptions = rt.subscriptions;
  report.close = thrown(() => rt.close());
  for (const release of held) release();
  // Past the refresher's interval, and the held answers' reading.
  await new Promise((r) => setTimeout(r, 1200));
  stopRefresh();
  report.sentAfter = sent.length - before;
  report.lateUncaught = uncaught.length - seen;
  report.helper = trIdFor("buy", "real");
  console.log(JSON.stringify(report));
}

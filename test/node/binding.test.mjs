// The wasm-bindgen binding (src/wasm/): strings that grow the wasm memory while they cross, text
// that is not ASCII, values JSON cannot hold, and a client's life (free, calls in flight, dispose).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import vm from "node:vm";
import { KisError } from "kis-wasm";
import { PRICE, client, fakeFetch, response } from "./fake-fetch.mjs";

// Not part of the API: the CommonJS entry's hook for the soak benchmark (one instance for both).
const { __wasmMemoryBytes } = createRequire(import.meta.url)("kis-wasm");

test("binding: an answer larger than the wasm memory, in Korean, crosses intact both ways", async () => {
  // 3 bytes a character in UTF-8: 6 MB, more than the module's memory when the test starts.
  const big = "삼성전자우".repeat(400_000);
  const before = __wasmMemoryBytes();
  assert.ok(big.length * 3 > before, `the body (${big.length * 3} B) outgrows the memory (${before} B)`);
  const f = fakeFetch({ answer: (url, init) => response(200, { rt_cd: "0", msg1: "정상처리 되었습니다.", echo: JSON.parse(init.body).note, big }) });
  // Past the default cap on answers (4 MiB), so the test raises it.
  const kis = client({ fetch: f.fetch, hashkey: false, maxResponseBytes: 16 << 20 });
  const reply = await kis.request({ method: "POST", path: "/uapi/domestic-stock/v1/trading/some-tr", trId: "TTTC0000U", body: { note: "한글 메모 ✓ 🚀" } });
  assert.ok(__wasmMemoryBytes() > before, "the memory grew while the answer crossed");
  assert.equal(reply.body.big.length, big.length);
  assert.equal(reply.body.big, big);
  assert.equal(reply.body.echo, "한글 메모 ✓ 🚀", "the request body went out as UTF-8 and came back");
  assert.equal(reply.body.msg1, "정상처리 되었습니다.");
  // And a quote after that still works: the glue's view of the memory follows its growth.
  const q = await client({ fetch: fakeFetch().fetch }).getPrice("005930");
  assert.equal(q.price, 70000);
});

test("binding: arguments JSON cannot hold are refused with the field named, before any request", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const cyclic = { symbol: "005930", quantity: 1 };
  cyclic.self = cyclic;
  await assert.rejects(kis.buy(cyclic), (e) => e instanceof KisError && e.kind === "validation" && e.field === "order" && /cannot be converted to JSON/.test(e.message));
  await assert.rejects(kis.getPrice(5930n), (e) => e instanceof KisError && e.field === "symbol");
  // A revoked proxy throws even for Array.isArray: that used to unwind through the module and
  // leave the call hanging.
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  await assert.rejects(kis.getPrice(revoked.proxy), (e) => e instanceof KisError && e.field === "symbol" && /revoked/.test(e.message));
  await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: revoked.proxy }), (e) => e instanceof KisError && e.field === "order.price");
  await assert.rejects(kis.buy({ symbol: "005930", quantity: NaN }), (e) => e instanceof KisError && e.field === "order.quantity");
  await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: NaN }), (e) => e instanceof KisError && e.field === "order.price");
  await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: Infinity }), (e) => e instanceof KisError && e.field === "order.price");
  assert.throws(() => client({ fetch: f.fetch, timeoutMs: NaN }), (e) => e instanceof KisError && e.field === "options.timeoutMs");
  assert.throws(() => client({ fetch: f.fetch, onEvent: "yes" }), (e) => e instanceof KisError && e.field === "options.onEvent");
  assert.throws(() => client({ fetch: f.fetch, tokenStore: { get() {} } }), (e) => e instanceof KisError && e.field === "options.tokenStore.set");
  assert.throws(() => kis.startTokenRefresh("60000"), (e) => e instanceof KisError && e.field === "intervalMs");
  assert.throws(() => kis.startTokenRefresh(NaN), (e) => e instanceof KisError && e.field === "intervalMs");
  assert.equal(f.calls.length, 0);
});

test("binding: a URL object reads as its href (baseUrl, as fetch reads one); an object only dressed as one, or one with user:pass@, is refused by name", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch, baseUrl: new URL("http://kis.test:8080/") });
  assert.equal((await kis.getPrice("005930")).price, 70000);
  assert.ok(f.calls.every((c) => c.url.startsWith("http://kis.test:8080/uapi/") || c.url === "http://kis.test:8080/oauth2/tokenP"), f.calls.map((c) => c.url).join(" "));
  for (const [baseUrl, message] of [
    [Object.setPrototypeOf({}, URL.prototype), /^options\.baseUrl: could not be read \(its href threw: /],
    [new URL("https://me:hunter2secret@kis.test"), /^options\.baseUrl: must not carry a user name or password/],
  ]) {
    assert.throws(() => client({ fetch: f.fetch, baseUrl }), (e) => e instanceof KisError && e.field === "options.baseUrl" && message.test(e.message) && !e.message.includes("hunter2secret"));
  }
});

test("binding: a required argument left out is said to be required, not to be the wrong type", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const required = (field) => (e) => e instanceof KisError && e.kind === "validation" && e.field === field && e.message === `${field}: is required`;
  await assert.rejects(kis.getPrice(), required("symbol"));
  await assert.rejects(kis.getPrice(undefined), required("symbol"));
  await assert.rejects(kis.getPrice(null), required("symbol"));
  await assert.rejects(kis.buy(), required("order"));
  await assert.rejects(kis.cancel(), required("cancel"));
  // An optional argument left out is simply absent.
  assert.ok(Array.isArray(await kis.getDailyPrices("005930")));
  assert.equal(f.calls.filter((c) => !String(c.url).endsWith("/oauth2/tokenP")).length, 1, "only the daily prices were asked for");
});

test("binding: a token store that answers with what JSON cannot hold is reported, and the client carries on", async () => {
  const warnings = [];
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch, tokenStore: { get: () => ({ accessToken: 1n }), set() {} }, logger: { warn: (m) => warnings.push(m), error() {} } });
  assert.equal((await kis.getPrice("005930")).price, 70000);
  assert.equal(f.tokens(), 1, "a token was issued instead");
  assert.ok(warnings.some((w) => /token store read failed: .*tokenStore\.get\(\)/.test(w)), warnings.join("\n"));
});

test("binding: free() lets a client go; its calls in flight finish, later ones throw", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const inFlight = kis.getPrice("005930");
  kis.free();

  assert.equal((await inFlight).price, 70000, "the call in flight finished");
  // wasm-bindgen's own check: a freed object refuses every method at once.
  assert.throws(() => kis.getPrice("005930"), /null pointer passed to rust/);
  assert.throws(() => kis.token, /null pointer passed to rust/);
  if (Symbol.dispose) {
    const other = client({ fetch: f.fetch });
    other[Symbol.dispose]();
    assert.throws(() => other.getPrice("005930"), /null pointer passed to rust/);
  }
  // Methods are the prototype's, not enumerable own properties, as on a class.
  assert.deepEqual(Object.keys(client({ fetch: f.fetch })), ["__wbg_ptr"], "methods are the class's, not own properties");
  assert.equal(typeof client({ fetch: f.fetch }).issueToken, "function");
});

test("binding: many clients made and dropped do not pile up in the wasm memory", async () => {
  const f = fakeFetch();
  for (let i = 0; i < 200; i++) await client({ fetch: f.fetch }).ensureToken();
  globalThis.gc?.();
  const before = __wasmMemoryBytes();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 200; i++) {
      const kis = client({ fetch: f.fetch });
      await kis.getPrice("005930");
      kis.free();
    }
  }
  assert.equal(__wasmMemoryBytes(), before, "1,000 freed clients left the memory as it was");
  assert.equal(PRICE.rt_cd, "0");
});

test("binding: request() hands on KIS's body as JSON.parse reads KIS's own text", async () => {
  // A lone surrogate escape, which a serde_json Value refuses, a number as KIS wrote it, and a
  // key twice (the last wins, as in JSON.parse).
  const text = '{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","odd":"a\\ud800b","n":1.50,"k":1,"k":2}';
  const kis = client({ fetch: fakeFetch({ answer: () => response(200, text, { tr_cont: "M" }) }).fetch });
  const reply = await kis.request({ path: "/uapi/domestic-stock/v1/quotations/x", trId: "FHKST01010100" });
  assert.deepEqual(reply, { status: 200, trCont: "M", body: JSON.parse(text) });
  assert.deepEqual(Object.keys(reply), ["status", "trCont", "body"]);
  assert.equal(reply.body.odd, "a\ud800b");
});

const detached = (view = false) => {
  const buffer = new ArrayBuffer(8);
  const bytes = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view ? bytes : buffer;
};

test("binding: whatever a fetch answers with is a network error, never an exception through the module", async () => {
  const odd = [
    undefined,
    null,
    42,
    Object.defineProperty({}, "status", { get() { throw new Error("status getter threw"); } }),
    { status: 200, get headers() { throw new Error("headers getter threw"); }, text: async () => JSON.stringify(PRICE) },
    { status: 200, headers: { get() { throw new Error("get threw"); } }, text: async () => JSON.stringify(PRICE) },
    { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read: async () => ({ get done() { throw new Error("done threw"); } }) }) } },
    { status: 200 },
    // A stream whose chunks are not bytes: a number would have been a typed array's length
    // (a vast or negative one threw through the module, left the call hanging and trapped it).
    // Bytes already taken back when given (a detached buffer, or a view of one), which
    // `new Uint8Array` throws for.
    ...[1e10, -1, 5, "abc", { length: 5 }, detached(), detached(true)].map((value) => {
      let n = 0;
      return { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read: async () => (n++ ? { done: true } : { done: false, value }) }) } };
    }),
  ];
  for (const answer of odd) {
    const kis = client({ fetch: fakeFetch({ answer: () => answer }).fetch, retry: { serverErrors: 0 }, logger: null });
    await assert.rejects(kis.getPrice("005930"), (e) => e instanceof KisError && e.kind === "network", `answer ${String(answer)}`);
  }
  // A stream of ArrayBuffers rather than Uint8Arrays is read all the same, chunk by chunk.
  const bytes = new TextEncoder().encode(JSON.stringify(PRICE));
  const chunks = [bytes.slice(0, 7).buffer, bytes.slice(7).buffer];
  const stream = { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read: async () => (chunks.length ? { done: false, value: chunks.shift() } : { done: true }) }) } };
  const kis = client({ fetch: fakeFetch({ answer: () => stream }).fetch });
  assert.equal((await kis.getPrice("005930")).price, 70000);
  // Another realm's bytes (a test runner's sandbox, another frame's fetch), which instanceof
  // refused: a Uint8Array and an ArrayBuffer of a vm context are read as bytes all the same,
  // and an object of that realm made to look like them is not.
  const realm = vm.createContext({});
  const foreign = [vm.runInContext("(b) => new Uint8Array(b)", realm), vm.runInContext("(b) => new Uint8Array(b).buffer", realm)];
  for (const make of foreign) {
    const parts = [make(bytes.slice(0, 7)), make(bytes.slice(7))];
    const elsewhere = { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read: async () => (parts.length ? { done: false, value: parts.shift() } : { done: true }) }) } };
    assert.equal((await client({ fetch: fakeFetch({ answer: () => elsewhere }).fetch }).getPrice("005930")).price, 70000);
  }
  const lookalike = vm.runInContext("({ [Symbol.toStringTag]: 'Uint8Array', length: 1e9, byteLength: 1e9 })", realm);
  const faked = { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read: async () => ({ done: false, value: lookalike }) }) } };
  await assert.rejects(client({ fetch: fakeFetch({ answer: () => faked }).fetch, retry: { serverErrors: 0 }, logger: null }).getPrice("005930"), (e) => e.kind === "network" && /not bytes/.test(e.message));
  // A stream that does what it likes with a chunk's buffer once it has given it: detaches it,
  // grows it (a resizable buffer under a view that tracks its length), or writes the next
  // chunk into it. Each chunk is copied as it comes, so the body is what the stream gave.
  const whole = new TextEncoder().encode(JSON.stringify(PRICE) + " ".repeat(JSON.stringify(PRICE).length % 2));
  const half = whole.length / 2;
  for (const [what, afterGiving] of [
    ["detached", (chunk) => structuredClone(chunk.buffer, { transfer: [chunk.buffer] })],
    ["grown", (chunk) => chunk.buffer.resize(chunk.buffer.maxByteLength)],
    ["reused", (chunk) => chunk.set(new Uint8Array(chunk.length).fill(0x20))],
  ]) {
    let given = 0;
    const buffer = new ArrayBuffer(half, { maxByteLength: 2 * half });
    const read = async () => {
      if (given === 2) return { done: true };
      if (given === 1) afterGiving(new Uint8Array(buffer));
      // One buffer for both halves, as a stream that reuses its buffer would; a fresh one once
      // the first was detached.
      const chunk = new Uint8Array(buffer.byteLength === 0 ? new ArrayBuffer(half) : buffer, 0, half);
      chunk.set(whole.subarray(given * half, (given + 1) * half));
      given++;
      return { done: false, value: chunk };
    };
    const answer = { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read }) } };
    const kis = client({ fetch: fakeFetch({ answer: () => answer }).fetch });
    assert.equal((await kis.getPrice("005930")).price, 70000, what);
  }
  // And the module is whole: a plain call after all of them works.
  assert.equal((await client({ fetch: fakeFetch().fetch }).getPrice("005930")).price, 70000);
});

test("binding: an onEvent that throws is logged once, and every call goes on", async () => {
  const lines = [];
  const logger = { warn: (l) => lines.push(l), error: (l) => lines.push(l) };
  let events = 0;
  const onEvent = () => {
    events += 1;
    throw new RangeError("dashboard not ready");
  };
  const kis = client({ fetch: fakeFetch().fetch, onEvent, logger });
  for (let i = 0; i < 3; i++) assert.equal((await kis.getPrice("005930")).price, 70000);
  assert.ok(events >= 6, `${events} events`);
  assert.deepEqual(lines.filter((l) => /onEvent/.test(l)), ["options.onEvent threw (dashboard not ready); the client goes on, and its later throws are not logged"]);
});

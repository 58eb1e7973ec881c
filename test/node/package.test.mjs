import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as esm from "kis-wasm";

const require = createRequire(import.meta.url);
const cjs = require("kis-wasm");

test("ESM import and CJS require give the same KisClient (one wasm instance)", () => {
  assert.equal(esm.KisClient, cjs.KisClient);
  assert.equal(esm.KisError, cjs.KisError);
  for (const name of ["KisClient", "KisError", "isKisError", "trIdFor", "buildOrderBody", "isMockUrl", "localStorageTokenStore", "fileTokenStore"]) {
    assert.equal(typeof esm[name], "function", name);
  }
});

test("errors are KisError instances and Errors, with kind and field", () => {
  assert.throws(
    () => new esm.KisClient({ account: "1234" }),
    (e) => e instanceof esm.KisError && e instanceof Error && esm.isKisError(e) && e.name === "KisError" && e.kind === "validation" && e.field === "options.account",
  );
  assert.throws(() => new esm.KisClient({ rateLimitPerSecond: 5 }), (e) => e.field === "options.rateLimitPerSecond");
  assert.throws(() => new esm.KisClient({ fetch: 42 }), (e) => e.field === "options.fetch");
  assert.ok(!esm.isKisError(new Error("x")));
});

test("pure helpers", () => {
  assert.equal(esm.trIdFor("buy", "real"), "TTTC0012U");
  assert.equal(esm.trIdFor("buy", "mock", "legacy"), "VTTC0802U");
  assert.equal(esm.trIdFor("price", "mock"), "FHKST01010100");
  assert.throws(() => esm.trIdFor("short", "real"), (e) => e.kind === "validation" && e.field === "op");
  assert.equal(esm.isMockUrl("https://openapivts.koreainvestment.com:29443"), true);
  assert.equal(esm.isMockUrl("https://openapi.koreainvestment.com:9443"), false);
  // An unset variable is no URL: answered false, a caller's `? "mock" : "real"` read it as real.
  for (const url of [undefined, null, 5, {}]) {
    assert.throws(() => esm.isMockUrl(url), (e) => e instanceof esm.KisError && e.kind === "validation" && e.field === "url", String(url));
  }
  // A URL object reads as its href, as everywhere the client reads a value.
  assert.equal(esm.isMockUrl(new URL("https://openapivts.koreainvestment.com:29443")), true);
  assert.deepEqual(esm.buildOrderBody({ account: "12345678-01", symbol: "005930", quantity: 10 }), {
    CANO: "12345678", ACNT_PRDT_CD: "01", PDNO: "005930", ORD_DVSN: "01", ORD_QTY: "10", ORD_UNPR: "0",
    EXCG_ID_DVSN_CD: "KRX", SLL_TYPE: "", CNDT_PRIC: "",
  });
  assert.throws(() => esm.buildOrderBody({ account: "12345678", symbol: "005930", quantity: -1 }), (e) => e.field === "order.quantity");
});

test("the browser entry loads its wasm by fetch and needs no init call", async () => {
  const fs = await import("node:fs");
  const { pathToFileURL } = await import("node:url");
  const entry = pathToFileURL(require.resolve("kis-wasm/package.json").replace(/package\.json$/, "web/index.js")).href;
  const realFetch = globalThis.fetch;
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(String(url));
    return new Response(fs.readFileSync(new URL(url)), { status: 200, headers: { "content-type": "application/wasm" } });
  };
  let web;
  try {
    web = await import(entry);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(asked.length, 1);
  assert.ok(asked[0].endsWith("/web/kis_wasm_bg.wasm"), asked[0]);
  assert.equal(web.trIdFor("sell", "real"), "TTTC0011U");
  const kis = new web.KisClient({ appKey: "k".repeat(20), appSecret: "s".repeat(20), baseUrl: "http://kis.test", env: "real", rateLimitPerSec: 0, fetch: async (url) => ({
    status: 200,
    headers: { get: () => null },
    text: async () => JSON.stringify(url.endsWith("/oauth2/tokenP") ? { access_token: "t".repeat(40), expires_in: 86400 } : { rt_cd: "0", output: { stck_prpr: "1234" } }),
  }) });
  assert.equal((await kis.getPrice("005930")).price, 1234);
  await assert.rejects(kis.getPrice(1), (e) => e instanceof web.KisError && e instanceof Error && e.field === "symbol");
});

test("every type the Rust side generates is exported by the package's entry", async () => {
  const fs = await import("node:fs");
  const dir = require.resolve("kis-wasm/package.json").replace(/package\.json$/, "");
  for (const build of ["web", "node"]) {
    const generated = fs.readFileSync(`${dir}${build}/kis_wasm.d.ts`, "utf8");
    const entry = fs.readFileSync(`${dir}${build}/index.d.ts`, "utf8");
    // wasm-bindgen's loader types of the web build are its own, not the package's.
    const names = [...generated.matchAll(/^export (?:interface|type|class) (\w+)/gm)].map((m) => m[1]).filter((n) => !/^(Sync)?Init(Input|Output)$/.test(n));
    assert.ok(names.length > 30, `${build}: ${names.length}`);
    const missing = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(entry));
    assert.deepEqual(missing, [], `${build}/index.d.ts does not export them`);
  }
});

test("fileTokenStore refuses a path that is not a non-empty string (an unset variable) rather than keeping tokens in a file named \"undefined\"", () => {
  for (const path of [undefined, null, "", "  ", 5, {}]) {
    assert.throws(() => esm.fileTokenStore(path), (e) => e instanceof esm.KisError && e.kind === "validation" && e.field === "path" && /^path: fileTokenStore needs a file's path/.test(e.message), String(path));
  }
});

test("fileTokenStore writes its file 0600 through a temporary file of its own, never through one left at a name it could take", { skip: process.platform === "win32" }, async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kis-store-"));
  try {
    const file = path.join(dir, "tokens.json");
    // What an earlier version named its temporary file: a link planted there, to a file anyone
    // may read, must neither receive the token nor lend the token file its mode.
    const victim = path.join(dir, "victim.txt");
    fs.writeFileSync(victim, "untouched", { mode: 0o644 });
    fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
    fs.writeFileSync(file, "{}", { mode: 0o644 });
    const store = esm.fileTokenStore(file);
    const token = { accessToken: "secret-token-0123456789", expiresAt: Date.now() + 3_600_000 };
    store.set("app", token);
    assert.equal(fs.readFileSync(victim, "utf8"), "untouched");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(store.get("app"), token);
    // Nothing of its own left beside the file; the planted link is still there.
    assert.deepEqual(fs.readdirSync(dir).sort(), ["tokens.json", `tokens.json.${process.pid}.tmp`, "victim.txt"].sort());
    // A second key keeps the first.
    store.set("other", { ...token, accessToken: "another-token-0123456789" });
    assert.deepEqual(store.get("app"), token);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("fileTokenStore: processes that set() at once on one file keep every key, and a lock a dead process left is taken over", { timeout: 60_000 }, async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const { spawn } = await import("node:child_process");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kis-store-"));
  try {
    const file = path.join(dir, "tokens.json");
    // Each process waits for the word to go, so that their read-modify-writes overlap.
    const script = `
      const { fileTokenStore } = require("kis-wasm");
      const store = fileTokenStore(process.env.STORE);
      console.log("ready");
      process.stdin.once("data", () => {
        for (let i = 0; i < 50; i++) store.set(process.env.NAME + i, { accessToken: "t-" + process.env.NAME + i, expiresAt: 1 });
        process.exit(0);
      });`;
    const children = ["a", "b", "c", "d"].map((name) => {
      const child = spawn(process.execPath, ["-e", script], { env: { ...process.env, STORE: file, NAME: name }, stdio: ["pipe", "pipe", "inherit"] });
      const ready = new Promise((resolve) => child.stdout.on("data", (d) => String(d).includes("ready") && resolve()));
      const exited = new Promise((resolve) => child.on("exit", resolve));
      return { child, ready, exited };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.end("go\n");
    assert.deepEqual(await Promise.all(children.map((c) => c.exited)), [0, 0, 0, 0]);
    const all = JSON.parse(fs.readFileSync(file, "utf8"));
    const lost = ["a", "b", "c", "d"].flatMap((n) => Array.from({ length: 50 }, (_, i) => n + i)).filter((k) => all[k]?.accessToken !== `t-${k}`);
    assert.deepEqual(lost, [], "keys another process's write dropped");
    assert.deepEqual(fs.readdirSync(dir), ["tokens.json"], "no lock or temporary file left");

    // A lock left by a process that died holding it: taken over once it is stale, not before.
    const store = esm.fileTokenStore(file);
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, "");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    store.set("after-crash", { accessToken: "t", expiresAt: 1 });
    assert.equal(store.get("after-crash").accessToken, "t");
    assert.equal(fs.existsSync(lock), false);
    // A fresh one is another process's: set() waits for it, then says who holds what.
    fs.writeFileSync(lock, "");
    const started = Date.now();
    assert.throws(() => store.set("blocked", { accessToken: "t", expiresAt: 1 }), (e) => e.message.includes(lock) && !e.message.includes("t-a0"));
    assert.ok(Date.now() - started >= 1900, "it waited for the holder");
    assert.equal(store.get("blocked"), null);
    assert.equal(fs.existsSync(lock), true, "another's lock is left alone");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

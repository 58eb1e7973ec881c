// The real market is never guessed: where the environment cannot be read off a KIS host name
// (a proxy, a mock), the client and the key-holding proxy require it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { KisClient, KisError } from "kis-wasm";
import { startCorsProxy } from "kis-wasm/proxy";
import { startMockKis } from "kis-wasm/mock";
import { APP_KEY, APP_SECRET } from "./secrets.mjs";

test("a client with a baseUrl that is not a KIS host and no env is refused, naming options.env", () => {
  for (const baseUrl of ["http://127.0.0.1:8787", "https://my-proxy.example/kis", "http://vts.example"]) {
    assert.throws(
      () => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, baseUrl }),
      (e) => e instanceof KisError && e.kind === "validation" && e.field === "options.env" && /not a KIS host/.test(e.message),
      baseUrl,
    );
    assert.doesNotThrow(() => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, baseUrl, env: "mock" }));
  }
  // KIS's own hosts say which market they are.
  assert.doesNotThrow(() => new KisClient({ baseUrl: "https://openapivts.koreainvestment.com:29443" }));
  assert.doesNotThrow(() => new KisClient({ baseUrl: "https://openapi.koreainvestment.com:9443" }));
  // And an env that says the other is refused: a script believed to be on the mock account
  // would be talking to the real one.
  assert.throws(
    () => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: "https://openapi.koreainvestment.com:9443", env: "mock" }),
    (e) => e instanceof KisError && e.field === "options.env" && /is "mock" but baseUrl is KIS's real host/.test(e.message),
  );
  assert.throws(
    () => new KisClient({ baseUrl: new URL("https://openapivts.koreainvestment.com:29443"), env: "real" }),
    (e) => e instanceof KisError && e.field === "options.env" && /is "real" but baseUrl is KIS's mock host/.test(e.message),
  );
});

test("the proxy holding keys for an upstream that is not a KIS host requires its env; the CLI says so and exits 2", async () => {
  const mock = await startMockKis({ env: "mock", rateLimit: 0 });
  try {
    await assert.rejects(
      startCorsProxy({ upstream: mock.url, allowOrigins: [], hold: { appKey: APP_KEY, appSecret: APP_SECRET }, log: () => {} }),
      /needs the environment .*KIS_ENV/,
    );
    await assert.rejects(
      startCorsProxy({ upstream: "real", allowOrigins: [], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} }),
      /does not match the upstream/,
    );
    const ok = await startCorsProxy({ upstream: mock.url, allowOrigins: [], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
    await ok.close();

    const pkg = path.dirname(createRequire(import.meta.url).resolve("kis-wasm/package.json"));
    const bin = path.join(pkg, "tools/kis-cors-proxy/cli.mjs");
    const env = { ...process.env, KIS_APP_KEY: APP_KEY, KIS_APP_SECRET: APP_SECRET };
    delete env.KIS_ENV;
    const run = spawnSync(process.execPath, [bin, "--port", "0", "--upstream", mock.url, "--hold-keys"], { env, encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /^kis-cors-proxy: hold mode needs the environment/);
    assert.ok(!run.stderr.includes(APP_SECRET) && !run.stderr.includes("    at "), run.stderr);
  } finally {
    await mock.close();
  }
});

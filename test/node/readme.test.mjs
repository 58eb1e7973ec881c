// The README's Node examples, run as they stand: the quick start, then the realtime example on
// its client, in a process of their own whose KIS (the mock environment's hosts, which they
// name by default) is kis-mock on loopback. A change to the API that the README was not
// changed for fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startMockKis } from "kis-wasm/mock";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const examples = [...readme.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);

test("the README has its two Node examples: the quick start and realtime", () => {
  assert.equal(examples.length, 2);
  assert.match(examples[0], /new KisClient\(/);
  assert.match(examples[1], /kis\.realtime\(/);
});

test("the README's Node examples run as they stand against kis-mock", { timeout: 60_000 }, async () => {
  const mock = await startMockKis({ env: "mock" });
  // Inside the checkout, so that "kis-wasm" and "ws" resolve as in a user's project.
  fs.mkdirSync(path.join(root, "test-results"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, "test-results", "readme-"));
  try {
    // Both examples in one module: the realtime one uses the quick start's client.
    const [quickStart, realtime] = examples;
    const imports = realtime.match(/^import .*$/gm) ?? [];
    const script = path.join(dir, "example.mjs");
    fs.writeFileSync(script, [...imports, quickStart, realtime.replace(/^import .*$/gm, "")].join("\n"));
    const { stdout, stderr } = await new Promise((resolve, reject) => {
      execFile(process.execPath, ["--import", pathToFileURL(path.join(root, "test/node/readme/to-mock.mjs")).href, script], {
        cwd: dir,
        timeout: 45_000,
        env: { ...process.env, KIS_APP_KEY: "readme-app-key-0123456789", KIS_APP_SECRET: "readme-app-secret-0123456789", MOCK_URL: mock.url, MOCK_WS: mock.wsUrl },
      }, (error, stdout, stderr) => (error ? reject(Object.assign(error, { stdout, stderr })) : resolve({ stdout, stderr })));
    });
    assert.equal(stderr, "", "the examples printed no error");
    const lines = stdout.trim().split("\n");
    // q.price and q.changeRate, then the order's number.
    assert.match(lines[0], /^\d+ -?\d+(\.\d+)?$/, stdout);
    assert.match(lines[1], /^order \d+$/, stdout);
    const [, orderNo] = lines[1].split(" ");
    assert.ok(mock.orders("12345678").some((o) => o.odno === orderNo), "the order is the mock's");
    // The realtime example's states, as its onState logs them, ending closed.
    assert.deepEqual(lines.filter((l) => /^(connecting|open|reconnecting|closed)$/.test(l)), ["connecting", "open", "closed"], stdout);
    assert.ok(fs.existsSync(path.join(dir, ".kis-token.json")), "the token was kept where the example said");
    // subscribe("H0STCNT0", "005930") is the trades' own subscription at KIS, asked once.
    assert.equal(mock.realtime.counts.subscribes, 3, "trades, orderbook and fills reached kis-mock");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await mock.close();
  }
});

// Two builds of the package in one process, their calls interleaved: what a change did to
// getPrice's time, beyond this shared machine's drift from run to run (figures, not pass/fail).
//
//   bash scripts/build.sh && cp -r pkg /tmp/before      # the build before the change
//   (change the code) bash scripts/build.sh
//   node --expose-gc bench/ab.mjs /tmp/before pkg [--rounds=9] [--calls=2000]
//
// Each build's Node entry is loaded from its own folder, so each has its own wasm instance.
// getPrice is timed over a fetch that answers at once with kis-mock's quote (the client's own
// cost), then over a socket to kis-mock. Within a round the builds alternate call by call; a
// round gives each build's median and the median of the paired differences, and the rounds'
// differences are printed whole, so that a change smaller than their spread reads as none.
import path from "node:path";
import { createRequire } from "node:module";
import { startMockKis } from "kis-wasm/mock";
import { instantFetch, median } from "./instant.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const dirs = args.filter((a) => !a.startsWith("--"));
if (dirs.length !== 2) {
  console.error("usage: node --expose-gc bench/ab.mjs <package folder A> <package folder B> [--rounds=9] [--calls=2000]");
  process.exit(2);
}
const rounds = option("rounds", 9);
const calls = option("calls", 2000);
const require = createRequire(import.meta.url);
const builds = dirs.map((d) => ({ name: d, KisClient: require(path.resolve(d, "node/index.cjs")).KisClient }));
const keys = { appKey: "bench-ab-app-key-0123456789", appSecret: "bench-ab-app-secret-0123456789" };
const options = { ...keys, env: "real", rateLimitPerSec: 0, logger: null };

/** getPrice of each build, timed alternately; `clients[i]` is build i's client. */
async function compare(title, clients) {
  const get = clients.map((kis) => async () => (await kis.getPrice("005930")).price);
  const prices = await Promise.all(get.map((f) => f()));
  if (prices[0] !== prices[1]) throw new Error(`the builds read different prices: ${prices}`);
  for (let i = 0; i < calls / 4; i++) for (const f of get) await f(); // warm up
  const us = async (f) => {
    const t = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t) / 1000;
  };
  const results = [];
  for (let round = 0; round < rounds; round++) {
    globalThis.gc?.();
    const a = [], b = [], diff = [];
    for (let i = 0; i < calls; i++) {
      // Which goes first alternates too, so that neither always runs on a warmer cache.
      let x, y;
      if (i % 2) {
        y = await us(get[1]);
        x = await us(get[0]);
      } else {
        x = await us(get[0]);
        y = await us(get[1]);
      }
      a.push(x); b.push(y); diff.push(y - x);
    }
    results.push({ a: median(a), b: median(b), diff: median(diff) });
  }
  const f = (x) => x.toFixed(1);
  console.log(`\n${title}: getPrice, µs a call (median of ${calls} a round, ${rounds} rounds)`);
  console.log(`  A ${builds[0].name}: ${f(median(results.map((r) => r.a)))}`);
  console.log(`  B ${builds[1].name}: ${f(median(results.map((r) => r.b)))}`);
  const diffs = results.map((r) => r.diff).sort((x, y) => x - y);
  console.log(`  B − A: ${f(median(diffs))} (rounds: ${diffs.map(f).join(", ")})`);
}

const answer = await instantFetch(builds[0].KisClient, "bench-ab-capture-0123456789");
const mock = await startMockKis({ env: "real", rateLimit: 0 });
await compare("over a fetch that answers at once", builds.map(({ KisClient }) => new KisClient({ ...options, baseUrl: "http://127.0.0.1:9", fetch: answer })));
// An app key each: kis-mock, as KIS, issues one token a minute per key.
await compare("over a socket to kis-mock", builds.map(({ KisClient }, i) => new KisClient({ ...options, appKey: `${keys.appKey}-${i}`, baseUrl: mock.url })));
await mock.close();

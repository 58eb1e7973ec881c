// Starts the dashboard stack and prints its URL; Ctrl-C stops it.
import { startStack } from "../www/stack.mjs";

const env = process.env;
const kis = env.KIS_APP_KEY && env.KIS_APP_SECRET && env.KIS_ACCOUNT
  ? { appKey: env.KIS_APP_KEY, appSecret: env.KIS_APP_SECRET, account: env.KIS_ACCOUNT, env: env.KIS_ENV === "real" ? "real" : "mock" }
  : undefined;
// The proxy's line per request is for debugging (--verbose); by default only what went wrong.
const verbose = process.argv.includes("--verbose");
const log = (l) => {
  if (verbose || !/ → [23]\d\d /.test(l)) console.log(`proxy: ${l}`);
};
const stack = await startStack({ port: Number(env.PORT ?? 5173), kis, log });
console.log(`\nKIS dashboard: ${stack.url}`);
console.log(kis
  ? `  → KIS ${kis.env} through ${stack.proxy.url}, which holds your keys (the page never sees them)`
  : `  → embedded mock KIS ${stack.mock.url} through the CORS proxy ${stack.proxy.url}`);
console.log("Ctrl-C to stop.");
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => stack.close().then(() => process.exit(0)));

#!/usr/bin/env node
// kis-mock --port <n> [--env real|mock] [--rate-limit <per-s>] [--token-ttl <s>]
//          [--token-interval <s>] [--hashkey off|check|require] [--page-size <n>]
import { startMockKis } from "./server.mjs";

const args = process.argv.slice(2);
const opt = (name, parse = String) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? parse(args[i + 1]) : undefined;
};
if (args.includes("--help")) {
  console.log("kis-mock --port <n> [--env real|mock] [--rate-limit <per-s>] [--token-ttl <s>] [--token-interval <s>] [--hashkey off|check|require] [--page-size <n>]");
  process.exit(0);
}
const mock = await startMockKis({
  port: opt("port", Number) ?? 0,
  env: opt("env"),
  rateLimit: opt("rate-limit", Number),
  tokenTtlSec: opt("token-ttl", Number),
  tokenIssueIntervalSec: opt("token-interval", Number),
  hashkey: opt("hashkey"),
  pageSize: opt("page-size", Number),
});
console.log(`listening on ${mock.url}`);
console.log(`kis-mock: env=${mock.env}, ${mock.options.rateLimit || "no"} calls/s per app key, control API under ${mock.url}/__mock/`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => mock.close().then(() => process.exit(0)));

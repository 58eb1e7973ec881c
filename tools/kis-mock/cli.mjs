#!/usr/bin/env node
// kis-mock --port <n> [--env real|mock] [--rate-limit <per-s>] [--token-ttl <s>]
//          [--token-interval <s>] [--hashkey off|check|require] [--page-size <n>]
import { startMockKis } from "./server.mjs";
import { readFlags, wholeFlag } from "../options.mjs";

const USAGE = "kis-mock --port <n> [--env real|mock] [--rate-limit <per-s>] [--token-ttl <s>] [--token-interval <s>] [--hashkey off|check|require] [--page-size <n>]";
const NUMBERS = ["port", "rate-limit", "token-ttl", "token-interval", "page-size"];
const WORDS = { env: ["real", "mock"], hashkey: ["off", "check", "require"] };
const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
// Each argument is a known flag with a value of its kind: a mock that behaves otherwise than
// the one asked for (--rate-limit 5/s read as NaN, no limit) is worse than none.
const flags = readFlags(args, { strings: [...NUMBERS, ...Object.keys(WORDS)] }, fail);
const given = {};
for (const [name, value] of Object.entries(flags)) {
  if (name in WORDS && !WORDS[name].includes(value)) fail(`--${name} must be one of ${WORDS[name].join(", ")}, got ${JSON.stringify(value)}`);
  given[name] = name in WORDS ? value : wholeFlag(name, value, fail);
}
const mock = await startMockKis({
  port: given.port ?? 0,
  env: given.env,
  rateLimit: given["rate-limit"],
  tokenTtlSec: given["token-ttl"],
  tokenIssueIntervalSec: given["token-interval"],
  hashkey: given.hashkey,
  pageSize: given["page-size"],
});
console.log(`listening on ${mock.url}`);
console.log(`kis-mock: env=${mock.env}, ${mock.options.rateLimit || "no"} calls/s per app key, control API under ${mock.url}/__mock/`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => mock.close().then(() => process.exit(0)));

function fail(why) {
  console.error(`kis-mock: ${why}\n${USAGE}`);
  process.exit(2);
}

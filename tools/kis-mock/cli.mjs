#!/usr/bin/env node
// kis-mock --port <n> [--env real|mock] [--rate-limit <per-s>] [--token-ttl <s>]
//          [--token-interval <s>] [--hashkey off|check|require] [--page-size <n>]
import { startMockKis } from "./server.mjs";

const USAGE = "kis-mock --port <n> [--env real|mock] [--rate-limit <per-s>] [--token-ttl <s>] [--token-interval <s>] [--hashkey off|check|require] [--page-size <n>]";
const NUMBERS = ["port", "rate-limit", "token-ttl", "token-interval", "page-size"];
const WORDS = { env: ["real", "mock"], hashkey: ["off", "check", "require"] };
const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
// A mistyped flag or value (--rate-limt, --rate-limit 5/s) must not start a mock that behaves
// otherwise than the one asked for: each argument is a known flag with a value of its kind.
const given = {};
for (let i = 0; i < args.length; i += 2) {
  const name = args[i].startsWith("--") ? args[i].slice(2) : null;
  const value = args[i + 1];
  if (!NUMBERS.includes(name) && !(name in WORDS)) fail(`unknown argument ${JSON.stringify(args[i])}`);
  if (value === undefined || value.startsWith("--")) fail(`--${name} needs a value`);
  if (NUMBERS.includes(name) && !/^\d+$/.test(value)) fail(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  if (name in WORDS && !WORDS[name].includes(value)) fail(`--${name} must be one of ${WORDS[name].join(", ")}, got ${JSON.stringify(value)}`);
  given[name] = NUMBERS.includes(name) ? Number(value) : value;
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

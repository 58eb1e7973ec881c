#!/usr/bin/env node
// kis-cors-proxy --port <n> --upstream real|mock|<url> --allow-origin <origin> [--allow-origin …]
//                [--max-body <bytes>] [--timeout-ms <ms>] [--allow-no-origin] [--hold-keys]
//                [--allow-host <name[:port]> …]
// --allow-host: a name the proxy is reached by besides 127.0.0.1 and localhost (any other Host
// header is refused, against DNS rebinding).
// --hold-keys: the proxy holds KIS_APP_KEY / KIS_APP_SECRET (from the environment, never argv)
// and the token; pages send placeholders. KIS_ENV (real|mock) is required then unless the
// upstream is real, mock or a KIS host; KIS_RATE_LIMIT sets the held client's calls a second
// (default: KIS's for the env, 18 real, 1 mock); KIS_TOKEN_FILE keeps the held token in that file
// (fileTokenStore), so that a restart takes it rather than a new one, and a script with the keys
// and the file can revoke it.
import { startCorsProxy } from "./proxy.mjs";
import { readFlags, wholeFlag } from "../options.mjs";

const USAGE = "kis-cors-proxy --port <n> --upstream real|mock|<url> --allow-origin <origin> [--allow-origin …] [--max-body <bytes>] [--timeout-ms <ms>] [--allow-no-origin] [--hold-keys] [--allow-host <name[:port]> …]";
const args = process.argv.slice(2);
const given = readFlags(args, { strings: ["port", "upstream", "max-body", "timeout-ms"], many: ["allow-origin", "allow-host"], booleans: ["allow-no-origin", "hold-keys", "help"] }, fail);
const all = (name) => given[name] ?? [];
const one = (name) => given[name];
const number = (name) => wholeFlag(name, one(name), fail);
if (one("help") || !one("upstream")) {
  console.log(USAGE);
  process.exit(one("upstream") ? 0 : 2);
}
let proxy;
try {
  proxy = await startCorsProxy({
    port: number("port") ?? 0,
    upstream: one("upstream"),
    allowOrigins: all("allow-origin"),
    maxBodyBytes: number("max-body"),
    upstreamTimeoutMs: number("timeout-ms"),
    allowNoOrigin: Boolean(one("allow-no-origin")),
    allowHosts: all("allow-host"),
    hold: one("hold-keys")
      ? {
          appKey: process.env.KIS_APP_KEY, appSecret: process.env.KIS_APP_SECRET, env: process.env.KIS_ENV || undefined,
          rateLimitPerSec: process.env.KIS_RATE_LIMIT ? Number(process.env.KIS_RATE_LIMIT) : undefined,
          tokenStore: process.env.KIS_TOKEN_FILE ? (await import("kis-wasm")).fileTokenStore(process.env.KIS_TOKEN_FILE) : undefined,
        }
      : undefined,
  });
} catch (e) {
  // A setting is missing or wrong: say which, without a stack trace.
  console.error(`kis-cors-proxy: ${e.message}`);
  process.exit(2);
}
console.log(`listening on ${proxy.url}`);
console.log(`kis-cors-proxy: → ${proxy.upstream}; origins: ${all("allow-origin").join(", ") || "(none)"}${one("hold-keys") ? "; holding the keys" : ""}`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => proxy.close().then(() => process.exit(0)));

function fail(why) {
  console.error(`kis-cors-proxy: ${why}\n${USAGE}`);
  process.exit(2);
}

import { parseArgs } from "node:util";

// The tools' option objects are checked as the client's are: a key they do not know is a typo
// (allowOrigin, upstreamTimeout, tokenThrottleMs) that would otherwise leave a default in place
// with nothing said.

/** Throws, naming the first key of `o` that is not one of `keys`. */
export function onlyKnown(what, o, keys) {
  if (o === undefined || o === null) return;
  if (typeof o !== "object" || Array.isArray(o)) throw new TypeError(`${what} must be an object`);
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw new TypeError(`${what}: unknown option ${JSON.stringify(key)} (expected one of: ${keys.join(", ")})`);
  }
}

/**
 * A command line read strictly, by Node's own `util.parseArgs`: every argument is a known flag
 * (`--name value` or `--name=value`), each of `strings` and `many` has its value, and `many` may
 * be repeated. Returns the values by name (an array for `many`, `true` for `booleans`); for the
 * first argument that is not so, `fail(why)`, which ends the process. A mistyped flag
 * (--hold-key, --rate-limt) must not start a tool without what it was meant to set.
 */
export function readFlags(args, { strings = [], many = [], booleans = [] }, fail) {
  const options = {};
  for (const name of strings) options[name] = { type: "string" };
  for (const name of many) options[name] = { type: "string", multiple: true };
  for (const name of booleans) options[name] = { type: "boolean" };
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    if (!String(e.code).startsWith("ERR_PARSE_ARGS_")) throw e;
    return fail(e.message);
  }
}

/** Flag `name`'s value as a whole number; anything else is said (`fail`), not read as NaN. */
export function wholeFlag(name, value, fail) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

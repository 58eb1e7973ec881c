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
 * A command line read strictly: every argument is a known flag, and each of `valued` is followed
 * by its value. Returns each flag's values in order (`true` for one of `flags`); `fail(why)`,
 * which ends the process, for the first argument that is not so. A mistyped flag (--hold-key,
 * --rate-limt) must not start a tool without what it was meant to set.
 */
export function readFlags(args, { valued, flags = [] }, fail) {
  const given = {};
  for (let i = 0; i < args.length; i += 1) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : null;
    if (valued.includes(name)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) fail(`--${name} needs a value`);
      (given[name] ??= []).push(value);
      i += 1;
    } else if (flags.includes(name)) {
      (given[name] ??= []).push(true);
    } else {
      fail(`unknown argument ${JSON.stringify(args[i])}`);
    }
  }
  return given;
}

/** Flag `name`'s value as a whole number; anything else is said (`fail`), not read as NaN. */
export function wholeFlag(name, value, fail) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

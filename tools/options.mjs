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

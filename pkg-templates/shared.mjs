// Shared by the Node and browser entries (the build writes a CommonJS copy for Node).

/** The error every failure of kis-wasm is; see `kind`. Fields are set by the wasm side. */
export class KisError extends Error {
  constructor(message) {
    super(message);
    this.name = "KisError";
  }
}

/** `kis.api.<name>(params, options)` for every catalogued API: one Proxy over `call`, so that
 *  no API needs code of its own. It has the catalogue's names and no others (`isApi` asks the
 *  wasm): runtimes probe objects for `then` (await, an async function's return), `toJSON`
 *  (JSON.stringify) and the like, and a method under every name made `await kis.api` hang on a
 *  call that then rejected unhandled. */
export function addApiProxy(KisClient, isApi, apiNames) {
  // The names are listed (Object.keys, for…in, a REPL's completion), not only answered for.
  let names;
  Object.defineProperty(KisClient.prototype, "api", {
    get() {
      const client = this;
      const known = (name) => typeof name === "string" && isApi(name);
      const method = (name) => (params, options) => client.call(name, params, options);
      return new Proxy({}, {
        get: (_, name) => (known(name) ? method(name) : undefined),
        has: (_, name) => known(name),
        ownKeys: () => [...(names ??= apiNames().split(",").filter(Boolean))],
        getOwnPropertyDescriptor: (_, name) =>
          known(name) ? { value: method(name), writable: false, enumerable: true, configurable: true } : undefined,
      });
    },
  });
}

export function isKisError(e) {
  return e instanceof KisError;
}

/** A TokenStore over Web Storage (localStorage by default). Tokens are secrets: use it only
 *  on a machine you trust. */
export function localStorageTokenStore(storage = globalThis.localStorage) {
  if (!storage) throw new TypeError("localStorageTokenStore: no storage available");
  return {
    get(key) {
      const text = storage.getItem(key);
      if (!text) return null;
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    },
    set(key, token) {
      storage.setItem(key, JSON.stringify(token));
    },
  };
}

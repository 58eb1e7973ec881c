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

/** One exchange of the wasm's transport (src/wasm/fetch.rs): the fetch, its body read to
 *  the end and its timeout, as one promise. Awaited from the wasm, each promise costs closures
 *  and crossings, and a call awaited four (the fetch, two reads of the body, the timer).
 *  Resolves with `{ status, trCont, body }`, or with null when `timeoutMs` passed first: the
 *  request is then aborted, and the answer of a fetch that ignores the signal is not read
 *  further. `body` is the bytes read from the stream, the text of `text()` when the answer has
 *  no stream, or null when it is longer than `limit` bytes (no further byte is read). What a
 *  caller's fetch answers is read warily, as any object of Response's shape whose getters may
 *  throw: a throw rejects, and the wasm takes it for a network error. */
export function exchange(fetch, url, method, headers, body, timeoutMs, limit) {
  // KIS never redirects; a redirect elsewhere would carry the keys, the token and an order.
  // "manual" rather than "error": the engine sees the 3xx (0 in browsers) and says so, where
  // "error" would be a network error that reads retry as the cure.
  const init = { method, headers: JSON.parse(headers), redirect: "manual" };
  if (body !== undefined) init.body = body;
  if (timeoutMs === undefined) return answer(fetch, url, init, limit);
  // Aborted, not only given up on: a timed-out order must not stay queued in the fetch and go
  // out after the trader was told it may not have.
  const ctl = new AbortController();
  init.signal = ctl.signal;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ctl.abort();
      resolve(null);
    }, timeoutMs);
    answer(fetch, url, init, limit).then(
      (got) => {
        clearTimeout(timer);
        resolve(got);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

async function answer(fetch, url, init, limit) {
  const res = await Reflect.apply(fetch, undefined, [url, init]);
  if (typeof res !== "object" || res === null) throw new Error("the fetch answered with something that is not a response");
  const s = res.status;
  const status = typeof s === "number" && s > 0 ? Math.min(Math.trunc(s), 65535) : 0;
  const bag = res.headers;
  let get;
  try {
    get = bag.get;
  } catch {}
  const header = (name) => (typeof get === "function" ? Reflect.apply(get, bag, [name]) : undefined);
  // A redirect is not followed, nor its body read: the engine fails the call on its status.
  const body = status === 0 || (status >= 300 && status < 400) ? "" : await readBody(res, header, init.signal, limit);
  const trCont = header("tr_cont");
  return { status, trCont: typeof trCont === "string" ? trCont : undefined, body };
}

// Brand checks, which hold for another realm's bytes (a test runner's sandbox, another frame's
// fetch) where `instanceof` refused them, and which an object made to look like bytes cannot pass.
const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayName = Object.getOwnPropertyDescriptor(typedArray, Symbol.toStringTag).get;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArray, "length").get;
const bufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const isBytes = (v) => Reflect.apply(typedArrayName, v, []) === "Uint8Array";
/** An ArrayBuffer's length, or -1 for anything else. */
const bufferSize = (v) => {
  try {
    return Reflect.apply(bufferLength, v, []);
  } catch {
    return -1;
  }
};

async function readBody(res, header, signal, limit) {
  let declared;
  try {
    declared = header("content-length");
  } catch {}
  if (typeof declared === "string" && /^\+?\d+$/.test(declared.trim()) && Number(declared.trim()) > limit) return null;
  const stream = res.body;
  let getReader;
  try {
    getReader = stream.getReader;
  } catch {}
  if (typeof getReader !== "function") {
    // A caller's fetch that builds answers by hand; the wasm checks the text's length.
    let text;
    try {
      text = res.text;
    } catch {}
    if (typeof text !== "function") throw new Error("the fetch response has no text()");
    const t = await Reflect.apply(text, res, []);
    return typeof t === "string" ? t : "";
  }
  const reader = Reflect.apply(getReader, stream, []);
  let read;
  try {
    read = reader.read;
  } catch {}
  if (typeof read !== "function") throw new Error("no reader.read()");
  const stop = () => {
    try {
      // Stops the download; whether the stream agrees changes nothing here.
      const c = reader.cancel;
      if (typeof c === "function") Promise.resolve(Reflect.apply(c, reader, [])).catch(() => {});
    } catch {}
  };
  const chunks = [];
  let length = 0;
  for (;;) {
    const chunk = await Reflect.apply(read, reader, []);
    if (chunk.done) break;
    // A timed-out attempt's fetch may ignore the signal: no more of its body is read (the wasm
    // no longer waits for it).
    if (signal?.aborted) {
      stop();
      return null;
    }
    // A stream of fetch's gives Uint8Arrays; a caller's may give ArrayBuffers. Anything else is
    // not a body, and `new Uint8Array(n)` of a number would allocate n bytes.
    const value = chunk.value;
    // Bytes asked first: fetch's own chunks are, and asking an ArrayBuffer's getter of them
    // throws, whose stack trace cost ~9 µs a call.
    const bytes = isBytes(value);
    const size = bytes ? Reflect.apply(typedArrayLength, value, []) : bufferSize(value);
    if (size < 0) throw new Error("the body's stream gave a chunk that is not bytes");
    // Measured before it is copied: a chunk of a GiB past the limit is not copied first.
    length += size;
    if (length > limit) {
      stop();
      return null;
    }
    // Copied now: a caller's stream may reuse, detach or resize a chunk's buffer once it has
    // given it, and the copy is the package's own (nothing runs between the measure and the
    // copy, so its length is the one counted; the wasm checks the whole again).
    chunks.push(new Uint8Array(bytes ? value : new Uint8Array(value)));
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

// The JS half of the binding; src/wasm/abi.rs is the Rust half and documents the interface.
// Written by hand in place of wasm-bindgen's generated glue: the module needs a dozen imports
// and exports of numbers and strings, and the caller's objects (fetch, token store, callbacks)
// stay here, named to Rust by number. The build writes a CommonJS copy for Node.

/** The binding over `KisError` (the package's class); `start` it with the instance made from
 *  `imports`. */
export function kisGlue(KisError) {
  // The exports: `wasm` throws once the module has stopped (for calls from the caller's
  // stack); `quiet` returns nothing then (for the glue's own callbacks, where a throw would be
  // an uncaught exception, the end of a Node process).
  let wasm, quiet;
  let u8 = new Uint8Array(0);
  let retText = "";
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });

  // Linear memory as bytes; a new view once it has grown (the old buffer is then detached).
  const bytes = () => (u8.buffer === wasm.memory.buffer ? u8 : (u8 = new Uint8Array(wasm.memory.buffer)));
  const str = (ptr, len) => dec.decode(bytes().subarray(ptr, ptr + len));
  // A string into the module as [ptr, len, cap]: the export it is passed to owns the buffer.
  const put = (s) => {
    const cap = s.length * 3;
    const ptr = quiet.kis_alloc(cap);
    return [ptr, enc.encodeInto(s, bytes().subarray(ptr, ptr + cap)).written, cap];
  };

  // JS objects Rust refers to by number: each client's host options, and fetch errors that a
  // KisError may carry as its cause. Rust says when it lets one go (drop_ref).
  const refs = new Map();
  let nextRef = 1;
  const ref = (v) => {
    const h = nextRef++;
    refs.set(h, v);
    return h;
  };
  // Each call's promise, by the number Rust settles it with.
  const calls = new Map();
  let nextOp = 0;
  // Token refreshers: the pending timer and io of each, so that stopping ends the wait at once.
  const tickers = new Map();
  let nextTicker = 1;

  // Once an export has thrown (a trap: a Rust panic, memory exhausted), the module's state can
  // no longer be trusted. Calls in flight fail, an order among them as orderStatusUnknown
  // (it may have gone out), and every later call is refused with `broken`.
  let broken;
  function stop(e) {
    if (broken) return broken;
    const why = `kis-wasm stopped (${e?.message ?? e}); restart the process or reload the page`;
    broken = makeError(JSON.stringify({ message: why, kind: "decode" }));
    const unsure = makeError(JSON.stringify({ message: `${why}. It may have reached KIS: check today's orders`, kind: "orderStatusUnknown" }));
    // buy, sell, cancel and request (numbered as METHODS) may have gone out.
    for (const [, reject, method] of calls.values()) reject(method > 4 && method < 9 ? unsure : broken);
    calls.clear();
    for (const tk of tickers.values()) clearTimeout(tk.timer);
    tickers.clear();
    return broken;
  }

  function makeError(text) {
    const d = JSON.parse(text);
    const e = new KisError(d.message);
    for (const k of ["kind", "field", "status", "msgCd", "msg1", "trId", "path", "body", "retryAfterMs"]) {
      if (d[k] !== undefined) e[k] = d[k];
    }
    if (d.cause !== undefined) e.cause = refs.has(d.causeRef) ? refs.get(d.causeRef) : new Error(d.cause);
    return e;
  }
  const invalid = (field, message) => makeError(JSON.stringify({ message: `${field}: ${message}`, kind: "validation", field }));

  // A caller's value as JSON (undefined → null; functions vanish as in JSON.stringify). Checked
  // field by field in Rust; a BigInt or a cycle is named here.
  function json(field, v) {
    try {
      return (v === undefined ? undefined : JSON.stringify(v)) ?? "null";
    } catch {
      throw invalid(field, "cannot be converted to JSON");
    }
  }

  // undici reports "fetch failed" and keeps the reason in `cause`; surface both.
  function describe(e) {
    const msg = typeof e?.message === "string" ? e.message : typeof e === "string" ? e : "fetch rejected";
    const inner = e?.cause?.message;
    return typeof inner === "string" && inner !== "" && inner !== msg ? `${msg} (${inner})` : msg;
  }

  // The request text of src/wasm/fetch.rs. `fetch` is called with `this` undefined (a bare
  // browser fetch throws "Illegal invocation" otherwise). A timeout aborts the request through
  // an AbortController, so a timed-out order is not left running or queued.
  async function send(host, io, text) {
    let i = 0;
    // Past the end, "" (which also ends the headers): a malformed text cannot loop.
    const line = () => {
      let j = text.indexOf("\n", i);
      if (j < 0) j = text.length;
      const s = text.slice(i, j);
      i = j + 1;
      return s;
    };
    const method = line(), url = line(), timeoutMs = +line(), hasBody = line() === "1";
    const headers = {};
    for (let k = line(); k !== ""; k = line()) headers[k] = line();
    const init = { method, headers };
    if (hasBody) init.body = text.slice(i);
    let ctl, timer, status, trCont, body, error;
    if (timeoutMs > 0) {
      ctl = new AbortController();
      init.signal = ctl.signal;
      timer = setTimeout(() => ctl.abort(), timeoutMs);
    }
    try {
      const fetch = host.fetch;
      const res = await fetch(url, init);
      if (typeof res?.text !== "function") throw new Error("the fetch response has no text()");
      const received = `${await res.text()}`;
      const cont = typeof res.headers?.get === "function" ? res.headers.get("tr_cont") : null;
      // Set together and last, so that a throw above leaves no half an answer.
      [status, trCont, body] = [res.status, `${cont ?? ""}`, received];
    } catch (e) {
      error = e;
    } finally {
      clearTimeout(timer);
    }
    // Called after the try, so that nothing the module does is taken for a failed fetch.
    if (body !== undefined) quiet.kis_response(io, status, ...put(trCont), ...put(body));
    else quiet.kis_failure(io, ctl?.signal.aborted ? 1 : 0, ...put(describe(error)), ref(error));
  }

  // tokenStore.get/set, sync or async; its answer (JSON or what it threw) comes back later.
  function store(host, io, name, args, text) {
    let value;
    try {
      const f = host.store[name];
      if (typeof f !== "function") throw new Error(`tokenStore.${name} is not a function`);
      value = f.apply(host.store, args);
    } catch (e) {
      value = Promise.reject(e);
    }
    Promise.resolve(value).then(
      (v) => {
        let out;
        try {
          out = text(v);
        } catch {
          return quiet.kis_text(io, 0, ...put(`tokenStore.${name}(): cannot be converted to JSON`));
        }
        quiet.kis_text(io, 1, ...put(out));
      },
      (e) => quiet.kis_text(io, 0, ...put(typeof e?.message === "string" ? e.message : "tokenStore threw")),
    );
  }

  const imports = {
    kis: {
      now: Date.now,
      send(host, io, ptr, len) {
        send(refs.get(host), io, str(ptr, len));
      },
      sleep(io, ms) {
        setTimeout(() => quiet.kis_flag(io, 1), ms);
      },
      tick(t, io, ms) {
        const tk = tickers.get(t);
        if (!tk) return queueMicrotask(() => quiet.kis_flag(io, 0));
        tk.io = io;
        tk.timer = setTimeout(() => {
          tk.io = undefined;
          quiet.kis_flag(io, 1);
        }, ms);
      },
      store_get(host, io, ptr, len) {
        store(refs.get(host), io, "get", [str(ptr, len)], (v) => JSON.stringify(v ?? null) ?? "null");
      },
      store_set(host, io, ptr, len) {
        const text = str(ptr, len), nl = text.indexOf("\n");
        store(refs.get(host), io, "set", [text.slice(0, nl), JSON.parse(text.slice(nl + 1))], () => "");
      },
      event(host, ptr, len) {
        const onEvent = refs.get(host).onEvent;
        try {
          onEvent(JSON.parse(str(ptr, len)));
        } catch {
          // A broken listener must not break a trade.
        }
      },
      log(host, level, ptr, len) {
        const logger = refs.get(host).logger, name = level ? "error" : "warn", line = str(ptr, len);
        try {
          if (logger === undefined) console[name](line);
          else if (typeof logger?.[name] === "function") logger[name](line);
        } catch {
          // Nor a logger (or a console) that throws.
        }
      },
      settle(op, ok, ptr, len) {
        const text = str(ptr, len), [resolve, reject] = calls.get(op);
        calls.delete(op);
        if (ok) resolve(JSON.parse(text));
        else reject(makeError(text));
      },
      ret(ptr, len) {
        retText = str(ptr, len);
      },
      drop_ref(h) {
        refs.delete(h);
      },
      schedule() {
        queueMicrotask(() => quiet.kis_run());
      },
    },
  };

  // A synchronous export called with `args` (JSON text): its result, or its error thrown.
  function sync(f, args) {
    const ok = f(...put(args));
    if (!ok) throw makeError(retText);
    return JSON.parse(retText);
  }

  const hostFunction = (options, key) => {
    const f = options[key];
    if (f != null && typeof f !== "function") throw invalid(`options.${key}`, "must be a function");
    return f ?? undefined;
  };
  const hostObject = (options, key, methods) => {
    const o = options[key];
    if (o == null) return o;
    for (const m of methods) {
      if (typeof o[m] !== "function") throw invalid(`options.${key}.${m}`, "must be a function");
    }
    return o;
  };
  const HOST_KEYS = ["fetch", "tokenStore", "onEvent", "logger"];

  // A number for each fetch function: clients of one app key share their state in the module
  // when they reach KIS through the same one (src/engine/shared.rs).
  const ways = new WeakMap();
  let nextWay = 1;
  const way = (f) => ways.get(f) ?? (ways.set(f, nextWay), nextWay++);

  const registry = new FinalizationRegistry((host) => quiet.kis_client_free(host));
  // Each client's number (0 once freed); a WeakMap rather than a private field, for older
  // browsers.
  const hosts = new WeakMap();
  const host = (client) => hosts.get(client) ?? 0;

  function call(client, method, fields, args) {
    let text;
    try {
      text = `[${fields.map((f, i) => json(f, args[i])).join(",")}]`;
    } catch (e) {
      return Promise.reject(e);
    }
    if (broken) return Promise.reject(broken);
    return new Promise((resolve, reject) => {
      const op = nextOp;
      nextOp = (nextOp + 1) & 0x7fffffff;
      calls.set(op, [resolve, reject, method]);
      wasm.kis_call(host(client), method, op, ...put(text));
    });
  }

  class KisClient {
    constructor(options) {
      if (typeof options !== "object" || options === null) throw invalid("options", "must be an object");
      // The data options go to Rust as JSON; for the host options, whether one was given.
      const parts = [];
      for (const key of Object.keys(options)) {
        if (!HOST_KEYS.includes(key)) parts.push(`${JSON.stringify(key)}:${json(`options.${key}`, options[key])}`);
      }
      const own = {
        fetch: hostFunction(options, "fetch") ?? globalThis.fetch,
        store: hostObject(options, "tokenStore", ["get", "set"]),
        onEvent: hostFunction(options, "onEvent"),
        // undefined: the console; null: silence.
        logger: options.logger === null ? null : hostObject(options, "logger", ["warn", "error"]),
      };
      if (typeof own.fetch !== "function") {
        throw invalid("options.fetch", "is required: this runtime has no globalThis.fetch (pass one, e.g. from undici)");
      }
      for (const key of HOST_KEYS) parts.push(`"${key}":${key === "fetch" ? way(own.fetch) : options[key] != null}`);
      const h = ref(own);
      if (!wasm.kis_client_new(h, ...put(`{${parts.join(",")}}`))) {
        refs.delete(h);
        throw makeError(retText);
      }
      hosts.set(this, h);
      registry.register(this, h, this);
    }

    /** `{ expiresAt, isExpired, isExpiringSoon }`, or null before the first token. */
    get token() {
      wasm.kis_token(host(this));
      return JSON.parse(retText);
    }

    startTokenRefresh(intervalMs) {
      const given = intervalMs != null;
      if (given && typeof intervalMs !== "number") throw invalid("intervalMs", "must be a number");
      const t = nextTicker++, tk = { timer: undefined, io: undefined };
      tickers.set(t, tk);
      if (!wasm.kis_start_refresh(host(this), t, given ? 1 : 0, given ? intervalMs : 0)) {
        tickers.delete(t);
        throw makeError(retText);
      }
      // Stopping clears the pending timer, so Node can exit now; calling it again does nothing.
      return () => {
        if (!tickers.delete(t)) return;
        clearTimeout(tk.timer);
        const io = tk.io;
        if (io !== undefined) queueMicrotask(() => quiet.kis_flag(io, 0));
      };
    }

    free() {
      const h = host(this);
      if (!h) return;
      registry.unregister(this);
      hosts.set(this, 0);
      // Freeing never throws, not even once the module has stopped (`using` calls it on exit).
      quiet.kis_client_free(h);
    }
  }

  // The methods, numbered as in src/wasm/client.rs, with the field names of their arguments.
  const METHODS = [
    ["getPrice", ["symbol"]], ["getDailyPrices", ["symbol", "options"]], ["getBalance", []],
    ["getBuyingPower", ["options"]], ["getOrders", ["options"]], ["buy", ["order"]], ["sell", ["order"]],
    ["cancel", ["cancel"]], ["request", ["request"]], ["ensureToken", []], ["forceRefreshToken", []],
    ["refreshIfExpiringSoon", []],
  ];
  const method = (value) => ({ value, writable: true, configurable: true });
  METHODS.forEach(([name, fields], i) => {
    Object.defineProperty(KisClient.prototype, name, method(function (...args) {
      return call(this, i, fields, args);
    }));
  });
  Object.defineProperty(KisClient.prototype, "issueToken", method(KisClient.prototype.ensureToken));
  if (Symbol.dispose) Object.defineProperty(KisClient.prototype, Symbol.dispose, method(KisClient.prototype.free));

  return {
    imports,
    start(instance) {
      wasm = { memory: instance.exports.memory };
      quiet = {};
      for (const [name, f] of Object.entries(instance.exports)) {
        if (typeof f !== "function") continue;
        quiet[name] = (...args) => {
          if (!broken) {
            try {
              return f(...args);
            } catch (e) {
              stop(e);
            }
          }
        };
        wasm[name] = (...args) => {
          const r = quiet[name](...args);
          if (broken) throw broken;
          return r;
        };
      }
    },
    KisClient,
    trIdFor: (op, env, set) => sync(wasm.kis_tr_id_for, `[${json("op", op)},${json("env", env)},${json("set", set)}]`),
    buildOrderBody: (input) => sync(wasm.kis_build_order_body, `[${json("order", input)}]`),
    isMockUrl: (url) => typeof url === "string" && wasm.kis_is_mock_url(...put(url)) === 1,
    /** The wasm linear memory in bytes, for the soak benchmark's leak check. */
    memoryBytes: () => wasm.memory.buffer.byteLength,
  };
}

"use strict";
// The Node entry over wasm-bindgen's nodejs build (kis_wasm.js, which reads the wasm
// synchronously, so `require` returns a ready client).
const crypto = require("node:crypto");
const fs = require("node:fs");
const wasm = require("./kis_wasm.js");
const shared = require("./shared.cjs");

wasm.__setKisErrorClass(shared.KisError);
wasm.__setExchange(shared.exchange);
shared.addApiProxy(wasm.KisClient, wasm.__isApi, wasm.__apiNames);

// A set() reads the file, adds its key and writes it back: two processes doing that at once
// would each write the file without the other's key, so a set() holds a lock file beside it.
// It holds it for the milliseconds of a read and a write; one older than LOCK_STALE_MS was left
// by a process that died holding it.
const LOCK_WAIT_MS = 2000;
const LOCK_STALE_MS = 10000;
const waitCell = new Int32Array(new SharedArrayBuffer(4));

function withLock(lock, fn) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx", 0o600));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    let held;
    try {
      held = fs.lstatSync(lock);
    } catch {
      continue; // released meanwhile
    }
    if (Date.now() - held.mtimeMs > LOCK_STALE_MS) {
      // Only the file that was found stale, and still stale: another process may have broken
      // it and taken a new one since, which a reused inode number alone would not tell.
      try {
        const now = fs.lstatSync(lock);
        if (now.ino === held.ino && Date.now() - now.mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
      } catch {}
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another process holds ${lock}; remove it if none is running`);
    }
    Atomics.wait(waitCell, 0, 0, 2 + Math.random() * 8);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** A TokenStore in a JSON file (mode 0600), shared by every process that names it. */
function fileTokenStore(path) {
  // fileTokenStore(process.env.KIS_TOKEN_FILE) of a variable not set would otherwise keep the
  // tokens in a file named "undefined" in the working directory, a repository's perhaps.
  if (typeof path !== "string" || path.trim() === "") {
    const got = typeof path === "string" ? JSON.stringify(path) : path === null ? "null" : typeof path === "object" ? "an object" : String(path);
    const e = new shared.KisError(`path: fileTokenStore needs a file's path (a non-empty string), got ${got}`);
    throw Object.assign(e, { kind: "validation", field: "path" });
  }
  const readAll = () => {
    try {
      return JSON.parse(fs.readFileSync(path, "utf8"));
    } catch {
      return {};
    }
  };
  return {
    get(key) {
      return readAll()[key] ?? null;
    },
    set(key, token) {
      withLock(`${path}.lock`, () => {
        const all = readAll();
        all[key] = token;
        // A name no one can have made ready, opened only if it does not exist ("wx", O_EXCL):
        // a file or link left there (a stale one of this pid, or one planted beside a token
        // file in a shared directory) would keep its own mode, or take the token elsewhere.
        const tmp = `${path}.${process.pid}.${crypto.randomBytes(8).toString("hex")}.tmp`;
        try {
          fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600, flag: "wx" });
          fs.renameSync(tmp, path);
        } catch (e) {
          // EEXIST: the name was someone else's, and so is what is there.
          if (e.code !== "EEXIST") fs.rmSync(tmp, { force: true });
          throw e;
        }
      });
    },
  };
}

exports.KisClient = wasm.KisClient;
exports.KisRealtime = wasm.KisRealtime;
exports.trIdFor = wasm.trIdFor;
exports.buildOrderBody = wasm.buildOrderBody;
exports.isMockUrl = wasm.isMockUrl;
exports.KisError = shared.KisError;
exports.isKisError = shared.isKisError;
exports.localStorageTokenStore = shared.localStorageTokenStore;
exports.fileTokenStore = fileTokenStore;
/** Not part of the API: the wasm linear memory in bytes, for the memory benchmark. */
exports.__wasmMemoryBytes = wasm.__memoryBytes;

"use strict";
// The Node entry over wasm-bindgen's nodejs build (kis_wasm.js, which reads the wasm
// synchronously, so `require` returns a ready client).
const crypto = require("node:crypto");
const fs = require("node:fs");
const wasm = require("./kis_wasm.js");
const shared = require("./shared.cjs");

wasm.__setKisErrorClass(shared.KisError);
shared.addApiProxy(wasm.KisClient, wasm.__isApi, wasm.__apiNames);

/** A TokenStore in a JSON file (mode 0600), shared by every process that names it. */
function fileTokenStore(path) {
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

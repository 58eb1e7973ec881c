"use strict";
const fs = require("node:fs");
const path = require("node:path");
const shared = require("./shared.cjs");
const { kisGlue } = require("./glue.cjs");

// Compiled and instantiated synchronously, so `require` returns a ready client.
const wasm = kisGlue(shared.KisError);
const bytes = fs.readFileSync(path.join(__dirname, "kis_wasm.wasm"));
wasm.start(new WebAssembly.Instance(new WebAssembly.Module(bytes), wasm.imports));

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
      const tmp = `${path}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
      fs.renameSync(tmp, path);
    },
  };
}

exports.KisClient = wasm.KisClient;
exports.trIdFor = wasm.trIdFor;
exports.buildOrderBody = wasm.buildOrderBody;
exports.isMockUrl = wasm.isMockUrl;
exports.KisError = shared.KisError;
exports.isKisError = shared.isKisError;
exports.localStorageTokenStore = shared.localStorageTokenStore;
exports.fileTokenStore = fileTokenStore;
/** Not part of the API: the wasm linear memory in bytes, for the soak benchmark. */
exports.__wasmMemoryBytes = wasm.memoryBytes;

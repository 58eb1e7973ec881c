// Initialises the wasm with top-level await, so `new KisClient(...)` needs no init call.
import { kisGlue } from "./glue.js";
import { KisError, isKisError, localStorageTokenStore } from "./shared.js";

const wasm = kisGlue(KisError);
const url = new URL("kis_wasm.wasm", import.meta.url);
const res = await fetch(url);
if (!res.ok) throw new Error(`kis-wasm: ${url} answered HTTP ${res.status}`);
// Compiled while it downloads where the server says application/wasm; from the bytes otherwise.
const { instance } =
  typeof WebAssembly.instantiateStreaming === "function" && /^application\/wasm\b/.test(res.headers.get("content-type") ?? "")
    ? await WebAssembly.instantiateStreaming(res, wasm.imports)
    : await WebAssembly.instantiate(await res.arrayBuffer(), wasm.imports);
wasm.start(instance);

export const { KisClient, trIdFor, buildOrderBody, isMockUrl } = wasm;
export { KisError, isKisError, localStorageTokenStore };

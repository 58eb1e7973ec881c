// The browser entry over wasm-bindgen's web build: it initialises the wasm with top-level
// await, so `new KisClient(...)` needs no init call.
import init, { __apiNames, __isApi, __setExchange, __setKisErrorClass, KisClient } from "./kis_wasm.js";
import { KisError, addApiProxy, exchange, isKisError, localStorageTokenStore } from "./shared.js";

await init({ module_or_path: new URL("kis_wasm_bg.wasm", import.meta.url) });
__setKisErrorClass(KisError);
__setExchange(exchange);
addApiProxy(KisClient, __isApi, __apiNames);

export { KisClient, KisRealtime, trIdFor, buildOrderBody, isMockUrl } from "./kis_wasm.js";
export { KisError, isKisError, localStorageTokenStore };

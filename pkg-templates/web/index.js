// Initialises the wasm with top-level await, so `new KisClient(...)` needs no init call.
import init, { KisClient, trIdFor, buildOrderBody, isMockUrl, __setKisErrorClass } from "./kis_wasm.js";
import { KisError, isKisError, localStorageTokenStore } from "./shared.js";

await init({ module_or_path: new URL("kis_wasm_bg.wasm", import.meta.url) });
__setKisErrorClass(KisError);

export { KisClient, trIdFor, buildOrderBody, isMockUrl, KisError, isKisError, localStorageTokenStore };

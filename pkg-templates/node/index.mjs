// One wasm instance for import and require: this re-exports the CommonJS entry.
export {
  KisClient, KisRealtime, trIdFor, buildOrderBody, isMockUrl, KisError, isKisError, localStorageTokenStore, fileTokenStore,
} from "./index.cjs";

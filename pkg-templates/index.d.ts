// What wasm-bindgen cannot generate: the error class (a JS class extending Error) and the
// JS-only helpers. Everything else comes from kis_wasm.d.ts, generated from the Rust types.
import type { ErrorKind, TokenStore } from "./kis_wasm.js";

export { KisClient, KisRealtime, trIdFor, buildOrderBody, isMockUrl } from "./kis_wasm.js";
export type { KisApi, KisApiName, KisApiParams, KisApiBodies, KisApiReply, KisRowOrRows, KisRealtimeRecords, KisRealtimeTr } from "./catalogue.js";
export type {
  CallOptions, ModifyInput, Orderbook, Level, MinuteBar, MinuteBarsOptions, KisClientOptions, FetchLike, KisEnv, TrIdSet, TrOp, TokenStore, KisLogger, StoredToken, TokenInfo,
  OrderInput, OrderBodyInput, CancelInput, DailyPriceOptions, BuyingPowerInput, OrdersQuery, RequestSpec,
  RetryOptions, KisBody, RawReply, Quote, DailyBar, Balance, Holding, BalanceSummary, OrderAck, Order,
  OrderSide, BuyingPower, KisEvent, EventType, ErrorKind, Trade, FillNotice, FillKind,
} from "./kis_wasm.js";

/** Every failure of kis-wasm. `kind` says what happened and whether a retry makes sense. */
export declare class KisError extends Error {
  readonly name: "KisError";
  readonly kind: ErrorKind;
  /** The input field at fault (validation errors), e.g. "order.quantity". */
  readonly field?: string;
  readonly status?: number;
  readonly msgCd?: string;
  readonly msg1?: string;
  readonly trId?: string;
  readonly path?: string;
  /** The response body text as received, secrets masked. */
  readonly body?: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export declare function isKisError(e: unknown): e is KisError;

export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export declare function localStorageTokenStore(storage?: WebStorageLike): TokenStore;

// `KisClient` has `[Symbol.dispose]()` (so that `using kis = new KisClient(…)` frees it), and
// ES2026's symbol is missing from the `lib` of older targets (es2016, es2022): declared here as
// the standard library declares it, so the types check whatever the target.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

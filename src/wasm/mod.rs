//! The wasm binding: the only code that touches JS, on wasm-bindgen. Each module is one JS
//! concept; all behaviour lives in the engine.

mod client;
mod convert;
mod errors;
mod fetch;
mod helpers;
mod host;
mod observer;
mod realtime;
mod store;
mod timers;
mod trap;

pub use client::KisClient;

/// The engine as the binding runs it: over the caller's fetch, JS time and a JS token store.
pub(crate) type Core = crate::KisCore<fetch::JsTransport, timers::JsClock, store::JsTokenStore>;

/// Types that only the binding speaks of: functions and objects the caller passes in.
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const HOST_TYPES: &'static str = r#"
/** The fetch the client calls; `globalThis.fetch` by default. */
export type FetchLike = (url: string, init: {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  redirect?: "manual";
}) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export type KisEnv = "real" | "mock";
export type TrIdSet = "current" | "legacy";
export type TrOp = "buy" | "sell" | "cancel" | "balance" | "price" | "dailyPrice" | "buyingPower" | "orders";

/** Persists tokens across reloads and processes; methods may be sync or async. */
export interface TokenStore {
  get(key: string): StoredToken | null | undefined | Promise<StoredToken | null | undefined>;
  set(key: string, token: StoredToken): void | Promise<void>;
}

export interface KisLogger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

import type { KisApi, KisApiName, KisApiParams, KisApiReply } from "./catalogue.js";

export interface KisClient {
  /**
   * Any catalogued KIS REST API, by its method name (or its /uapi/ path), with KIS's own
   * parameter names: the same token, rate limit, retries and checks as the typed methods. The
   * account fields are filled from `account`; every documented parameter goes out (empty ones
   * as ""); an API KIS does not offer in mock is refused there before anything is sent.
   */
  call<N extends KisApiName>(api: N, params: KisApiParams[N], options?: CallOptions): Promise<KisApiReply<N>>;
  /** Every catalogued API as a method: `kis.api.domesticStockInquirePrice({ … })`. */
  readonly api: KisApi;
}

import type { KisRealtimeRecords, KisRealtimeTr } from "./catalogue.js";

export interface KisRealtime {
  /**
   * Subscribes `callback` to `trId` for `trKey` (a symbol; the HTS ID for fill notices): each
   * record by the TR's catalogue columns. Resolves to a function that ends the subscription.
   */
  subscribe<T extends KisRealtimeTr>(trId: T, trKey: string, callback: (record: KisRealtimeRecords[T]) => void): Promise<() => void>;
}

/** A KIS response body: the envelope plus TR-specific outputs. */
export interface KisBody {
  rt_cd?: string;
  msg_cd?: string;
  msg1?: string;
  [field: string]: unknown;
}
"#;

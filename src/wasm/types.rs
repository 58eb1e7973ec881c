//! TypeScript for what the caller passes in. Result types are generated from the Rust structs by
//! tsify; inputs are read field by field (so errors can name the field), hence declared here.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const INPUT_TYPES: &'static str = r#"
/** The fetch the client calls; `globalThis.fetch` by default. */
export type FetchLike = (url: string, init: {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
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

export interface KisClientOptions {
  appKey?: string;
  appSecret?: string;
  /** "12345678-01", "1234567801" or "12345678" (product code "01"). */
  account?: string;
  /** Default: inferred from baseUrl ("vts" → mock); with no baseUrl, "mock". */
  env?: KisEnv;
  /** Default: the official host of env; a CORS proxy's URL in browsers. */
  baseUrl?: string;
  fetch?: FetchLike;
  custType?: "P" | "B";
  trIds?: TrIdSet;
  /** Default true: POSTs carry a hashkey (the seed's rule). */
  hashkey?: boolean;
  /** Default 18 (real) / 1 (mock); 0 turns the limiter off. */
  rateLimitPerSec?: number;
  retry?: { serverErrors?: number; delayMs?: number };
  /** Per attempt; default 30000. */
  timeoutMs?: number;
  tokenStore?: TokenStore;
  onEvent?: (event: KisEvent) => void;
  /** Default console; null for silence. */
  logger?: KisLogger | null;
}

export interface OrderInput {
  symbol: string;
  quantity: number;
  /** Given → limit order ("00"); omitted → market ("01"). */
  price?: number;
  /** ORD_DVSN code, e.g. "03" best limit. */
  orderType?: string;
}

export interface OrderBodyInput extends OrderInput {
  account: string;
}

export interface CancelInput {
  orderNo: string;
  orgNo: string;
  /** Default "all". */
  quantity?: number | "all";
}

export interface DailyPriceOptions {
  period?: "D" | "W" | "M";
  /** Default true (FID_ORG_ADJ_PRC "1"). */
  adjusted?: boolean;
}

export interface BuyingPowerInput {
  symbol: string;
  price?: number;
  orderType?: string;
}

export interface OrdersQuery {
  /** "YYYY-MM-DD" or "YYYYMMDD"; default today in Korea. */
  from?: string;
  to?: string;
  symbol?: string;
}

export interface RequestSpec {
  method?: "GET" | "POST";
  /** A /uapi/ path. */
  path: string;
  trId: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  trCont?: "" | "N";
}

/** A KIS response body: the envelope plus TR-specific outputs. */
export interface KisBody {
  rt_cd?: string;
  msg_cd?: string;
  msg1?: string;
  [field: string]: unknown;
}
"#;

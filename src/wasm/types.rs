//! The TypeScript of the package's values, written by hand: inputs are read field by field (so
//! errors can name the field) and results are written by `json::ToJson`, so no derive sees
//! either. A native test (`models::tests`) checks the result interfaces against the structs.

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

#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPES: &'static str = r#"
/**
 * A row of inquire-balance `output1`.
 */
export interface Holding {
  symbol: string;
  name: string;
  quantity: number | null;
  orderableQuantity: number | null;
  avgPrice: number | null;
  price: number | null;
  evalAmount: number | null;
  profitLoss: number | null;
  profitLossRate: number | null;
  raw: Record<string, string>;
}

/**
 * A row of inquire-daily-ccld `output1`.
 */
export interface Order {
  date: string;
  time: string;
  orderNo: string;
  orgNo: string;
  side: OrderSide;
  symbol: string;
  name: string;
  quantity: number | null;
  price: number | null;
  filledQuantity: number | null;
  remainingQuantity: number | null;
  cancelled: boolean;
  raw: Record<string, string>;
}

/**
 * A row of inquire-daily-price (FHKST01010400); `date` is "YYYY-MM-DD".
 */
export interface DailyBar {
  date: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  raw: Record<string, string>;
}

/**
 * A token as kept in a `TokenStore`; times in epoch milliseconds.
 */
export interface StoredToken {
  accessToken: string;
  expiresAt: number;
  issuedAt: number;
}

/**
 * What `kis.token` shows: never the token itself.
 */
export interface TokenInfo {
  expiresAt: number;
  isExpired: boolean;
  isExpiringSoon: boolean;
}

/**
 * `request()`'s answer.
 */
export interface RawReply {
  status: number;
  trCont: string;
  body: KisBody;
}

/**
 * inquire-balance `output2[0]`.
 */
export interface BalanceSummary {
  cash: number | null;
  stockEval: number | null;
  totalEval: number | null;
  netAsset: number | null;
  purchaseTotal: number | null;
  profitLossTotal: number | null;
  raw: Record<string, string>;
}

/**
 * inquire-price (FHKST01010100).
 */
export interface Quote {
  symbol: string;
  price: number | null;
  change: number | null;
  changeRate: number | null;
  volume: number | null;
  open: number | null;
  high: number | null;
  low: number | null;
  upperLimit: number | null;
  lowerLimit: number | null;
  raw: Record<string, string>;
}

/**
 * inquire-psbl-order `output`: what can be bought without credit (nrcvb_*).
 */
export interface BuyingPower {
  cash: number | null;
  maxQuantity: number | null;
  maxAmount: number | null;
  raw: Record<string, string>;
}

/**
 * order-cash / order-rvsecncl `output`; `time` is "HH:MM:SS" (Korea time).
 */
export interface OrderAck {
  orderNo: string;
  orgNo: string;
  time: string;
  raw: Record<string, string>;
}

export interface Balance {
  holdings: Holding[];
  summary: BalanceSummary;
}

export interface KisEvent {
  type: EventType;
  method?: string;
  path?: string;
  trId?: string;
  status?: number;
  attempt?: number;
  waitMs?: number;
  ms?: number;
  msgCd?: string;
  /**
   * Why: for `retry` ("token", "server", "network", "timeout", "rateLimit", "lookup"), for
   * `token` ("issued", "stored", "refreshed").
   */
  reason?: string;
}

export type ErrorKind = "validation" | "http" | "api" | "network" | "timeout" | "decode" | "rateLimited" | "tokenRejected" | "orderStatusUnknown";

export type EventType = "request" | "response" | "retry" | "rateLimitWait" | "token";

export type OrderSide = "buy" | "sell";
"#;

// The package's types, written by hand beside the glue (glue.mjs). Inputs are read field by
// field in Rust, so errors can name the field; results are written by `json::ToJson`. A native
// test (`models::tests`) checks the result interfaces against the structs.

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
  /** Default globalThis.fetch. Clients that share one function (and app key and base URL) share
   *  their token and rate limit; a function of its own keeps a client apart, as a test's fake
   *  KIS should be. */
  fetch?: FetchLike;
  custType?: "P" | "B";
  trIds?: TrIdSet;
  /** Default true: POSTs carry a hashkey (the seed's rule). */
  hashkey?: boolean;
  /** Default 18 (real) / 1 (mock); 0 turns the limiter off. Clients of one app key, base URL and
   *  `fetch` in a process share one limiter, at the strictest of their limits. */
  rateLimitPerSec?: number;
  retry?: { serverErrors?: number; delayMs?: number };
  /** Per attempt; default 30000. */
  timeoutMs?: number;
  /** Where a token is kept across reloads and processes. Without one, the token lives in memory,
   *  shared by the process's clients of the same app key, base URL and `fetch`. */
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
  /** A correction's or cancel's row: the number of the order it changes (`orgn_odno`). KIS
   *  lists it as an order of its own; null on a new order. */
  originalOrderNo: string | null;
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

/** A client of the KIS OpenAPI for one app key (and, for trading, one account). */
export declare class KisClient {
  constructor(options: KisClientOptions);
  /** FHKST01010100: the current price of a symbol. */
  getPrice(symbol: string): Promise<Quote>;
  /** FHKST01010400: 30 daily (weekly, monthly) bars, oldest first. */
  getDailyPrices(symbol: string, options?: DailyPriceOptions): Promise<DailyBar[]>;
  /** TTTC8434R / VTTC8434R, all pages. */
  getBalance(): Promise<Balance>;
  /** TTTC8908R / VTTC8908R. */
  getBuyingPower(input: BuyingPowerInput): Promise<BuyingPower>;
  /** TTTC0081R / VTTC0081R, all pages. */
  getOrders(query?: OrdersQuery): Promise<Order[]>;
  /** A cash buy: limit with a price, market without. */
  buy(order: OrderInput): Promise<OrderAck>;
  /** A cash sell: limit with a price, market without. */
  sell(order: OrderInput): Promise<OrderAck>;
  /** Cancels the remaining (or given) quantity of an open order. */
  cancel(input: CancelInput): Promise<OrderAck>;
  /** Any other TR, under the same token, limiter and retry policies. A POST is never resent
   *  once it may have reached KIS: it then fails with kind `orderStatusUnknown`. */
  request(spec: RequestSpec): Promise<RawReply>;
  /** Issues (or reuses a stored) token now rather than on the first call. */
  issueToken(): Promise<TokenInfo>;
  ensureToken(): Promise<TokenInfo>;
  forceRefreshToken(): Promise<TokenInfo>;
  /** Resolves to whether it refreshed. */
  refreshIfExpiringSoon(): Promise<boolean>;
  /**
   * S8: checks every `intervalMs` (default 30 minutes) and refreshes a token expiring within
   * the hour. Returns the function that stops it (in Node, call it to let the process exit).
   */
  startTokenRefresh(intervalMs?: number | null): () => void;
  /** `{ expiresAt, isExpired, isExpiringSoon }`, or null before the first token. */
  readonly token: TokenInfo | null;
  /** Lets the client go now; calls in flight finish. (Garbage collection does it otherwise.) */
  free(): void;
  [Symbol.dispose](): void;
}

export declare function trIdFor(op: TrOp, env: KisEnv, set?: TrIdSet): string;
export declare function buildOrderBody(input: OrderBodyInput): Record<string, string>;
export declare function isMockUrl(url: string): boolean;

// Compiles under --strict against the package's own .d.ts; each @ts-expect-error is a misuse
// the types must catch.
import {
  KisClient, KisError, isKisError, trIdFor, buildOrderBody, isMockUrl, localStorageTokenStore,
  type Quote, type KisEvent, type Balance, type OrderAck, type Order, type TokenInfo, type RawReply,
  type StoredToken, type TokenStore, type ErrorKind, type DailyBar, type BuyingPower,
} from "kis-wasm";

const store: TokenStore = {
  get: async (key: string): Promise<StoredToken | null> => (key ? null : null),
  set: (_key: string, token: StoredToken) => void token.expiresAt,
};

const events: KisEvent[] = [];
const kis = new KisClient({
  appKey: "k",
  appSecret: "s",
  account: "12345678-01",
  env: "mock",
  baseUrl: "http://127.0.0.1:8787",
  fetch: (url, init) => fetch(url, init),
  custType: "P",
  trIds: "current",
  hashkey: true,
  rateLimitPerSec: 1,
  retry: { serverErrors: 2, delayMs: 1000 },
  timeoutMs: 10_000,
  tokenStore: store,
  onEvent: (e) => events.push(e),
  logger: null,
});

async function use(): Promise<void> {
  const q: Quote = await kis.getPrice("005930");
  const price: number | null = q.price;
  const raw: string | undefined = q.raw["stck_prpr"];
  const bars: DailyBar[] = await kis.getDailyPrices("005930", { period: "W", adjusted: false });
  const b: Balance = await kis.getBalance();
  const qty: number | null = b.holdings[0]?.quantity ?? null;
  const power: BuyingPower = await kis.getBuyingPower({ symbol: "005930", price: 70000 });
  const orders: Order[] = await kis.getOrders({ from: "2026-11-27" });
  const side: "buy" | "sell" | undefined = orders[0]?.side;
  const ack: OrderAck = await kis.buy({ symbol: "005930", quantity: 1, price: 70000 });
  await kis.sell({ symbol: "005930", quantity: 1 });
  await kis.cancel({ orderNo: ack.orderNo, orgNo: ack.orgNo, quantity: "all" });
  const r: RawReply = await kis.request({ method: "GET", path: "/uapi/x", trId: "FHKST01010100", query: { A: "1" } });
  const rt: string | undefined = r.body.rt_cd;
  const info: TokenInfo = await kis.ensureToken();
  const t: TokenInfo | null = kis.token;
  const stop: () => void = kis.startTokenRefresh();
  stop();
  void [price, raw, bars, qty, power, side, rt, info, t];

  try {
    await kis.getPrice("000660");
  } catch (e) {
    if (e instanceof KisError) {
      const kind: ErrorKind = e.kind;
      const status: number | undefined = e.status;
      const retry: number | undefined = e.retryAfterMs;
      void [kind, status, retry, e.msgCd, e.msg1, e.trId, e.path, e.body, e.field];
    }
    if (isKisError(e)) void e.kind;
  }

  const id: string = trIdFor("buy", "real", "legacy");
  const body: Record<string, string> = buildOrderBody({ account: "12345678", symbol: "005930", quantity: 1 });
  const mock: boolean = isMockUrl("https://openapivts.koreainvestment.com:29443");
  const web: TokenStore = localStorageTokenStore({ getItem: () => null, setItem: () => {} });
  void [id, body, mock, web];

  // @ts-expect-error a number is not a symbol
  await kis.getPrice(5930);
  // @ts-expect-error unknown option
  new KisClient({ appKey: "k", rateLimitPerSecond: 5 });
  // @ts-expect-error reading a field that does not exist
  void q.lastPrice;
  // @ts-expect-error quantity must be a number
  await kis.buy({ symbol: "005930", quantity: "1" });
  // @ts-expect-error env is "real" | "mock"
  new KisClient({ env: "prod" });
  // @ts-expect-error kind is a closed union
  const k: ErrorKind = "oops";
  // @ts-expect-error price may be null
  const n: number = q.price;
  // @ts-expect-error unknown operation
  trIdFor("short", "real");
  void [k, n];
}
void use;

// Compiles under --strict against the package's own .d.ts; each @ts-expect-error is a misuse
// the types must catch.
import {
  KisClient, KisRealtime, KisError, isKisError, trIdFor, buildOrderBody, isMockUrl, localStorageTokenStore,
  type Quote, type KisEvent, type Balance, type OrderAck, type Order, type TokenInfo, type RawReply,
  type StoredToken, type TokenStore, type ErrorKind, type DailyBar, type BuyingPower, type Orderbook,
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
  // KIS's 호가단위 at the current price, null when KIS leaves it out.
  const tick: number | null = q.tickSize;
  // @ts-expect-error a step KIS did not send is null
  const tickSaid: number = q.tickSize;
  const raw: string | undefined = q.raw["stck_prpr"];
  const bars: DailyBar[] = await kis.getDailyPrices("005930", { period: "W", adjusted: false });
  const b: Balance = await kis.getBalance();
  const qty: number | null = b.holdings[0]?.quantity ?? null;
  const power: BuyingPower = await kis.getBuyingPower({ symbol: "005930", price: 70000 });
  const orders: Order[] = await kis.getOrders({ from: "2026-11-27" });
  // KIS's 01 or 02; null for a code it does not document, never a guess.
  const side: "buy" | "sell" | null | undefined = orders[0]?.side;
  // @ts-expect-error a side KIS did not say is null
  const sideSaid: "buy" | "sell" | undefined = orders[0]?.side;
  // What the filled shares cost on average; null while none has filled.
  const paid: number | null | undefined = orders[0]?.averagePrice;
  // @ts-expect-error null until something fills
  const paidNow: number | undefined = orders[0]?.averagePrice;
  // The shares the exchange refused after KIS took the order (rjct_qty).
  const refused: number | null | undefined = orders[0]?.rejectedQuantity;
  const ack: OrderAck = await kis.buy({ symbol: "005930", quantity: 1, price: 70000 });
  await kis.sell({ symbol: "005930", quantity: 1 });
  await kis.buy({ symbol: "005930", quantity: 1, price: 70000, exchange: "NXT" });
  await kis.cancel({ orderNo: ack.orderNo, orgNo: ack.orgNo, quantity: "all" });
  // A change goes to its order's exchange, as getOrders() lists it.
  const listed = orders[0];
  if (listed?.exchange) await kis.cancel({ orderNo: listed.orderNo, orgNo: listed.orgNo, exchange: listed.exchange });
  // @ts-expect-error the exchanges are KRX, NXT and SOR
  await kis.cancel({ orderNo: ack.orderNo, orgNo: ack.orgNo, exchange: "ALL" });
  const r: RawReply = await kis.request({ method: "GET", path: "/uapi/x", trId: "FHKST01010100", query: { A: "1" } });
  const rt: string | undefined = r.body.rt_cd;
  const info: TokenInfo = await kis.ensureToken();
  const revoked: boolean = await kis.revokeToken();
  const t: TokenInfo | null = kis.token;
  const stop: () => void = kis.startTokenRefresh();
  stop();
  void [price, tick, tickSaid, raw, bars, qty, power, side, sideSaid, paid, paidNow, refused, rt, info, revoked, t];

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

// The catalogue's generated API: KIS's parameter names, required ones required, answers typed.
async function catalogue(kis: KisClient): Promise<void> {
  const r = await kis.call("domesticStockInquirePrice", { FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930" });
  const price: string | undefined = r.body.output?.stck_prpr;
  const same = await kis.api.domesticStockInquirePrice({ FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930" });
  const rows = await kis.api.domesticStockInquireDailyCcld(
    { INQR_STRT_DT: "20260101", INQR_END_DT: "20260131", SLL_BUY_DVSN_CD: "00", INQR_DVSN: "00", PDNO: "", CCLD_DVSN: "00", INQR_DVSN_3: "00", INQR_DVSN_1: "", ORD_GNO_BRNO: "", ODNO: "", EXCG_ID_DVSN_CD: "KRX" },
    { allPages: true },
  );
  const first: string | undefined = rows.body.output1?.[0]?.odno;
  const order = await kis.call("domesticStockOrderCash", { PDNO: "005930", ORD_DVSN: "00", ORD_QTY: "1", ORD_UNPR: "70000" }, { trId: "VTTC0012U" });
  // KIS's layout says rows, its example (and KIS) one object: the type takes either.
  const out = order.body.output;
  const orderNo: string | undefined = Array.isArray(out) ? out[0]?.ODNO : out?.ODNO;
  void [price, same.body.msg1, first, orderNo];

  // @ts-expect-error a parameter name KIS does not have
  await kis.call("domesticStockInquirePrice", { FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930", SYMBOL: "005930" });
  // @ts-expect-error a required parameter left out
  await kis.api.domesticStockInquirePrice({ FID_COND_MRKT_DIV_CODE: "J" });
  // @ts-expect-error KIS takes strings only
  await kis.api.domesticStockInquirePrice({ FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: 5930 });
  // @ts-expect-error an API that is not in the catalogue
  await kis.call("domesticStockInquirePrise", {});
  // @ts-expect-error a field the answer does not have
  void r.body.output?.stck_price;
  // @ts-expect-error an answer of either shape is narrowed first
  void order.body.output?.ODNO;
}
void catalogue;

async function curated(kis: KisClient): Promise<void> {
  const ob: Orderbook = await kis.getOrderbook("005930");
  const best: number | null = ob.asks[0]?.price ?? null;
  const revised: OrderAck = await kis.modify({ orderNo: "0000000001", orgNo: "06010", price: 70100 });
  void [best, revised.orderNo];
  // @ts-expect-error a modification names the order it changes
  await kis.modify({ price: 70100 });
}
void curated;

async function realtime(kis: KisClient, WebSocket: new (url: string) => unknown): Promise<void> {
  const rt: KisRealtime = kis.realtime({ WebSocket, url: "ws://127.0.0.1:31000" });
  rt.onState((state) => void state.toUpperCase());
  const stop = await rt.subscribe("H0STCNT0", "005930", (tick) => {
    const price: string = tick.stck_prpr;
    void price;
    // @ts-expect-error a trade has no such column
    void tick.oder_no;
  });
  await rt.subscribe("H0STCNI9", "hts-id", (fill) => void fill.oder_no.length);
  // @ts-expect-error not a realtime TR of the catalogue
  await rt.subscribe("FHKST01010100", "005930", () => {});
  stop();
  const stopTrades = await rt.trades("005930", (t) => {
    const price: number | null = t.price;
    const side: "buy" | "sell" | null = t.side;
    void price, side, t.raw.stck_prpr;
    // @ts-expect-error a price is a number, not KIS's string
    const text: string = t.price;
    void text;
  });
  stopTrades();
  await rt.orderbook("005930", (b) => void b.asks[0]?.price?.toFixed(0));
  await rt.fills("hts-id", (n) => {
    if (n.kind === "fill") void n.quantity;
    const noticeSide: "buy" | "sell" | null = n.side;
    void noticeSide;
    // @ts-expect-error a notice's kind is one of five words
    if (n.kind === "filled") void n;
  });
  // @ts-expect-error fills take the HTS ID and a callback
  await rt.fills((n: unknown) => void n);
  const n: number = rt.subscriptions;
  rt.close();
  void n;
  // @ts-expect-error the state is one of four words
  rt.onState((state: number) => void state);
}
void realtime;

// The package against the mock KIS server over real sockets on 127.0.0.1: every operation, then
// the fault matrix with the outcome the design prescribes for each fault.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";

const catalogued = JSON.parse(fs.readFileSync(new URL("../../catalogue/kis-api.json", import.meta.url), "utf8")).rest;

const ACCOUNT = "50012345-01";

// KIS mints one token a minute per app key, so clients of one key share a store (B3), as a
// user's scripts should.
const saved = new Map();
const sharedStore = { get: (k) => saved.get(k) ?? null, set: (k, t) => void saved.set(k, t) };

function client(mock, extra = {}) {
  const cap = capture();
  const kis = new KisClient({
    appKey: APP_KEY, appSecret: APP_SECRET, account: ACCOUNT, baseUrl: mock.url, env: mock.env,
    rateLimitPerSec: 0, retry: { delayMs: 50 }, onEvent: cap.onEvent, logger: cap.logger, tokenStore: sharedStore, ...extra,
  });
  return { kis, cap };
}

const count = (mock, suffix) => mock.requests.filter((r) => r.path.endsWith(suffix)).length;

describe("every operation against the mock", () => {
  let mock;
  before(async () => {
    saved.clear();
    mock = await startMockKis({ env: "mock", rateLimit: 0, pageSize: 1 });
  });
  after(() => mock.close());

  test("quote, daily bars, balance with paging, buying power", async () => {
    const { kis, cap } = client(mock);
    const q = await kis.getPrice("005930");
    assert.equal(q.price, 71000);
    assert.ok(q.upperLimit > q.price && q.lowerLimit < q.price);
    // KIS's price step at the current price (호가단위): 100 won at 71 000, 50 at 45 000, 5 for
    // an ETF at 19 000 where a stock's would be 10; a limit off it is refused.
    assert.equal(q.tickSize, 100);
    assert.equal((await kis.getPrice("035720")).tickSize, 50);
    const etf = await kis.getPrice("360750");
    assert.equal(etf.tickSize, 5);
    const book = await kis.getOrderbook("360750");
    assert.equal(book.asks[0].price - book.asks[1].price, -5, "its book on the ETF's step");
    await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: q.price - q.tickSize / 2 }), (e) => e.kind === "api" && e.msgCd === "APBK0509");
    // KIS's whole answer, as large as the real one; it names the stock only by its code.
    assert.equal(Object.keys(q.raw).length, 81);
    assert.equal(q.raw.stck_shrn_iscd, "005930");
    assert.ok(!Object.values(q.raw).includes("삼성전자"));
    const bars = await kis.getDailyPrices("005930", { period: "D" });
    assert.equal(bars.length, 30);
    assert.equal(bars.at(-1).close, 71000);
    // The quote and the chart tell one story: today's volume, and the change from yesterday's close.
    assert.equal(q.change, q.price - bars.at(-2).close);
    assert.equal(q.volume, bars.at(-1).volume);
    assert.ok(bars.every((b) => b.low <= b.open && b.open <= b.high && b.low <= b.close && b.close <= b.high));
    const balance = await kis.getBalance();
    assert.deepEqual(balance.holdings.map((h) => h.symbol), ["005930", "360750"]);
    assert.equal(count(mock, "/inquire-balance"), 2, "page size 1 → two pages, following tr_cont");
    assert.equal(balance.summary.cash, 10_000_000);
    const power = await kis.getBuyingPower({ symbol: "005930" });
    assert.equal(power.maxQuantity, Math.floor(10_000_000 / 71000));
    // Every answer carries as many fields as KIS's does.
    const fields = (o) => Object.keys(o.raw).length;
    assert.deepEqual([fields(bars[0]), fields(balance.holdings[0]), fields(balance.summary), fields(power)], [14, 26, 24, 12]);
    assertNoSecrets(assert, cap.text());
  });

  test("buy, sell, cancel and today's orders", async () => {
    const { kis } = client(mock);
    const market = await kis.buy({ symbol: "000660", quantity: 2 });
    const limit = await kis.buy({ symbol: "005930", quantity: 3, price: 60000 });
    const sold = await kis.sell({ symbol: "360750", quantity: 5 });
    for (const a of [market, limit, sold]) assert.match(a.orderNo, /^\d{10}$/);
    const cancel = await kis.cancel({ orderNo: limit.orderNo, orgNo: limit.orgNo });
    assert.match(cancel.orderNo, /^\d{10}$/);
    const orders = await kis.getOrders();
    const byNo = Object.fromEntries(orders.map((o) => [o.orderNo, o]));
    assert.equal(byNo[market.orderNo].filledQuantity, 2);
    // What the shares cost: the price a market order filled at, not its price of 0.
    assert.equal(byNo[market.orderNo].price, 0);
    assert.equal(byNo[market.orderNo].averagePrice, Number(byNo[market.orderNo].raw.tot_ccld_amt) / 2);
    assert.ok(byNo[market.orderNo].averagePrice > 0);
    assert.equal(byNo[limit.orderNo].averagePrice, null, "nothing of it filled: KIS's avg_prvs 0 is no price");
    assert.equal(byNo[limit.orderNo].cancelled, true);
    assert.equal(byNo[limit.orderNo].remainingQuantity, 0);
    assert.equal(byNo[sold.orderNo].side, "sell");
    // The cancel is listed as an order of its own, naming the one it cancels; new orders name none.
    assert.equal(orders.length, 4);
    assert.equal(byNo[cancel.orderNo].originalOrderNo, limit.orderNo);
    assert.equal(byNo[cancel.orderNo].quantity, 3);
    assert.equal(Object.keys(byNo[market.orderNo].raw).length, 36);
    assert.equal(byNo[limit.orderNo].raw.cnc_cfrm_qty, "3", "KIS's spelling");
    for (const a of [market, limit, sold]) assert.equal(byNo[a.orderNo].originalOrderNo, null);
    assert.ok(count(mock, "/inquire-daily-ccld") >= 2, "orders were paged (page size 1)");
    const b = await kis.getBalance();
    const qty = Object.fromEntries(b.holdings.map((h) => [h.symbol, h.quantity]));
    assert.deepEqual(qty, { "005930": 10, "360750": 20, "000660": 2 });
    await assert.rejects(kis.cancel({ orderNo: limit.orderNo, orgNo: limit.orgNo }), (e) => e.kind === "api" && e.msgCd === "APBK0634");
    await assert.rejects(kis.sell({ symbol: "035720", quantity: 1 }), (e) => e.kind === "api" && e.msgCd === "APBK0400");
  });

  test("a stock sold out today: KIS's balance lists it with hldg_qty 0, getBalance() holds it no more", async () => {
    const { kis } = client(mock);
    const held = (await kis.getBalance()).holdings.find((h) => h.symbol === "360750");
    assert.ok(held?.quantity > 0, "held before");
    await kis.sell({ symbol: "360750", quantity: held.quantity });
    const params = { AFHR_FLPR_YN: "N", INQR_DVSN: "02", UNPR_DVSN: "01", FUND_STTL_ICLD_YN: "N", FNCG_AMT_AUTO_RDPT_YN: "N", PRCS_DVSN: "00" };
    const raw = await kis.call("domesticStockInquireBalance", params, { allPages: true });
    assert.equal(raw.body.output1.find((row) => row.pdno === "360750")?.hldg_qty, "0", "listed as KIS lists it");
    const after = await kis.getBalance();
    assert.deepEqual(after.holdings.filter((h) => h.symbol === "360750"), []);
    assert.ok(after.holdings.every((h) => h.quantity > 0));
    // Bought again, it is a holding again, at the new purchase's price alone.
    await kis.buy({ symbol: "360750", quantity: 1 });
    const again = (await kis.getBalance()).holdings.find((h) => h.symbol === "360750");
    assert.equal(again.quantity, 1);
    assert.equal(again.avgPrice, again.price);
  });

  test("the orderbook: ten levels a side around the market price, best first", async () => {
    const { kis } = client(mock);
    const ob = await kis.getOrderbook("005930");
    assert.equal(ob.symbol, "005930");
    assert.equal(ob.asks.length, 10);
    assert.equal(ob.bids.length, 10);
    assert.ok(ob.asks[0].price > ob.bids[0].price, "the best ask is above the best bid");
    for (let i = 1; i < 10; i++) {
      assert.ok(ob.asks[i].price > ob.asks[i - 1].price && ob.bids[i].price < ob.bids[i - 1].price);
    }
    assert.equal(ob.totalAskQuantity, ob.asks.reduce((a, l) => a + l.quantity, 0));
    assert.match(ob.time, /^\d\d:\d\d:\d\d$/);
    await assert.rejects(kis.getOrderbook("5930"), (e) => e.kind === "validation" && e.field === "symbol");
  });

  test("minute bars: 30 a page, oldest first, paged back through the day to 09:00", async () => {
    const { kis } = client(mock);
    const one = await kis.getMinuteBars("005930", { until: "10:15" });
    assert.equal(one.length, 30);
    assert.equal(one.at(-1).time, "10:15:00");
    assert.equal(one[0].time, "09:46:00");
    for (const b of one) assert.ok(b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close), JSON.stringify(b));
    const all = await kis.getMinuteBars("005930", { until: "10:15", pages: 14 });
    assert.equal(all.length, 76, "09:00 to 10:15");
    assert.equal(all[0].time, "09:00:00");
    assert.deepEqual(all.slice(-30), one, "the same minutes, the same bars");
    assert.equal(new Set(all.map((b) => b.time)).size, all.length, "no minute twice");
    await assert.rejects(kis.getMinuteBars("005930", { until: "25:00" }), (e) => e.field === "options.until");
    await assert.rejects(kis.getMinuteBars("005930", { pages: 15 }), (e) => e.field === "options.pages");
    // The answer's day summary (output1) says what the quote says: against yesterday's close.
    const { body } = await kis.request({
      method: "GET", path: "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice", trId: "FHKST03010200",
      query: { FID_ETC_CLS_CODE: "", FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930", FID_INPUT_HOUR_1: "101500", FID_PW_DATA_INCU_YN: "Y" },
    });
    const q = await kis.getPrice("005930");
    const day = body.output1;
    assert.equal(Number(day.stck_prpr), q.price);
    assert.equal(Number(day.stck_prdy_clpr), q.price - q.change, "yesterday's close");
    assert.equal(Number(day.prdy_vrss), q.change);
    assert.equal(Number(day.prdy_ctrt), q.changeRate);
    assert.equal(day.prdy_vrss_sign, q.raw.prdy_vrss_sign);
    assert.equal(Number(day.acml_vol), q.volume, "the day's volume, not the page's");
  });

  test("modify (정정): the open order gets a new price under a new number that names it", async () => {
    const { kis } = client(mock);
    const limit = await kis.buy({ symbol: "005930", quantity: 2, price: 60000 });
    const revised = await kis.modify({ orderNo: limit.orderNo, orgNo: limit.orgNo, price: 60100 });
    assert.notEqual(revised.orderNo, limit.orderNo);
    const byNo = Object.fromEntries((await kis.getOrders()).map((o) => [o.orderNo, o]));
    assert.equal(byNo[limit.orderNo].remainingQuantity, 0, "the original has nothing left open");
    assert.equal(byNo[revised.orderNo].originalOrderNo, limit.orderNo);
    assert.equal(byNo[revised.orderNo].price, 60100);
    assert.equal(byNo[revised.orderNo].remainingQuantity, 2);
    await assert.rejects(kis.modify({ orderNo: limit.orderNo, orgNo: limit.orgNo, price: 60200 }), (e) => e.kind === "api" && e.msgCd === "APBK0635");
    await assert.rejects(kis.modify({ orderNo: limit.orderNo, orgNo: limit.orgNo, price: 60150 + 0.5 }), (e) => e.kind === "validation" && e.field === "modify.price");
    // The revised order is an order like any: it can be cancelled.
    await kis.cancel({ orderNo: revised.orderNo, orgNo: revised.orgNo });
  });

  test("open limit buys hold cash back, and fill when the price reaches them", async () => {
    const { kis } = client(mock);
    const before = (await kis.getBuyingPower({ symbol: "035420", price: 200000 })).cash;
    const ack = await kis.buy({ symbol: "035420", quantity: 2, price: 200000 });
    const held = (await kis.getBuyingPower({ symbol: "035420", price: 200000 })).cash;
    assert.equal(before - held, 400000);
    mock.setPrice("035420", 199500);
    const o = (await kis.getOrders({ symbol: "035420" })).find((x) => x.orderNo === ack.orderNo);
    assert.equal(o.filledQuantity, 2);
    assert.equal(o.price, 200000);
    assert.equal(o.averagePrice, 199500, "filled at the market, under its limit");
    assert.equal(o.remainingQuantity, 0);
    mock.setPrice("035420", 210000);
  });

  test("the mock refuses real TR IDs, a missing custtype and a wrong hashkey", async () => {
    const { kis } = client(mock, { logger: null });
    // The client refuses a catalogued API's real TR ID in mock before sending it; the mock, asked
    // directly, refuses it as KIS does.
    const balance = "/uapi/domestic-stock/v1/trading/inquire-balance";
    const asked = mock.requests.filter((r) => r.path === balance).length;
    await assert.rejects(
      kis.request({ path: balance, trId: "TTTC8434R", query: {} }),
      (e) => e.kind === "validation" && e.field === "request.trId" && /in mock it is VTTC8434R/.test(e.message),
    );
    assert.equal(mock.requests.filter((r) => r.path === balance).length, asked);
    const token = [...saved.values()][0].accessToken;
    const headers = { authorization: `Bearer ${token}`, appkey: APP_KEY, appsecret: APP_SECRET, tr_id: "FHKST01010100" };
    const realTr = await fetch(`${mock.url}${balance}?CANO=50012345&ACNT_PRDT_CD=01`, { headers: { ...headers, custtype: "P", tr_id: "TTTC8434R" } });
    assert.equal(realTr.status, 500);
    assert.equal((await realTr.json()).msg_cd, "OPSQ0002");
    const noCust = await fetch(`${mock.url}/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`, { headers });
    assert.equal(noCust.status, 500);
    const body = JSON.stringify({ CANO: "50012345", ACNT_PRDT_CD: "01", PDNO: "005930", ORD_DVSN: "01", ORD_QTY: "1", ORD_UNPR: "0" });
    const wrongHash = await fetch(`${mock.url}/uapi/domestic-stock/v1/trading/order-cash`, { method: "POST", body, headers: { ...headers, custtype: "P", tr_id: "VTTC0012U", hashkey: "0".repeat(64) } });
    assert.equal((await wrongHash.json()).msg_cd, "OPSQ0007");
  });

  test("recorded requests carry no secret", () => {
    assertNoSecrets(assert, JSON.stringify(mock.requests));
    assert.ok(!JSON.stringify(mock.requests).includes("mock-token-"));
  });
});

describe("fault matrix", () => {
  let mock;
  before(async () => {
    saved.clear();
    mock = await startMockKis({ env: "real", rateLimit: 0, tokenIssueIntervalSec: 0 });
  });
  after(() => mock.close());

  async function warm(extra) {
    const c = client(mock, extra);
    await c.kis.ensureToken();
    return c;
  }

  test("401 → one refresh, one retry", async () => {
    const { kis } = await warm();
    const t0 = mock.counts.tokenP;
    mock.addFault({ path: "/inquire-price", type: "status", status: 401 });
    assert.equal((await kis.getPrice("005930")).price, 71000);
    assert.equal(mock.counts.tokenP - t0, 1);
    mock.addFault({ path: "/inquire-price", type: "status", status: 401, times: 2 });
    await assert.rejects(kis.getPrice("005930"), (e) => e.kind === "tokenRejected");
  });

  test("HTTP 500 + EGW00123 → refresh and retry", async () => {
    const { kis, cap } = await warm();
    mock.addFault({ path: "/inquire-price", type: "egw00123" });
    assert.equal((await kis.getPrice("005930")).price, 71000);
    assert.ok(cap.events.some((e) => e.type === "retry" && e.reason === "token" && e.msgCd === "EGW00123"));
  });

  for (const n of [1, 2, 3]) {
    test(`5xx ×${n} → ${n < 3 ? `${n + 1} attempts, success` : "error after 3 attempts"}`, async () => {
      const { kis } = await warm();
      const before = count(mock, "/inquire-price");
      mock.addFault({ path: "/inquire-price", type: "html", status: 502, times: n });
      const result = kis.getPrice("005930");
      if (n < 3) assert.equal((await result).price, 71000);
      else await assert.rejects(result, (e) => e.kind === "http" && e.status === 502 && e.trId === "FHKST01010100");
      assert.equal(count(mock, "/inquire-price") - before, Math.min(n + 1, 3));
    });
  }

  test("EGW00201 burst → waits and succeeds, for an order too", async () => {
    const { kis, cap } = await warm();
    mock.addFault({ path: "/inquire-price", type: "egw00201", times: 2 });
    assert.equal((await kis.getPrice("005930")).price, 71000);
    assert.equal(cap.events.filter((e) => e.reason === "rateLimit").length, 2);
    const booked = mock.orders("50012345").length;
    mock.addFault({ path: "/order-cash", type: "egw00201" });
    await kis.buy({ symbol: "005930", quantity: 1 });
    assert.equal(mock.orders("50012345").length - booked, 1);
  });

  test("connection reset → retried on reads", async () => {
    const { kis } = await warm();
    mock.addFault({ path: "/inquire-price", type: "reset" });
    assert.equal((await kis.getPrice("005930")).price, 71000);
    mock.addFault({ path: "/inquire-price", type: "reset", times: 3 });
    await assert.rejects(kis.getPrice("005930"), (e) => e.kind === "network" && e.cause instanceof Error);
  });

  test("hang past the timeout → timeout, retried", async () => {
    const { kis } = await warm({ timeoutMs: 300 });
    mock.addFault({ path: "/inquire-price", type: "hang" });
    const t0 = Date.now();
    assert.equal((await kis.getPrice("005930")).price, 71000);
    assert.ok(Date.now() - t0 >= 300);
    mock.addFault({ path: "/inquire-price", type: "hang", times: 3 });
    await assert.rejects(kis.getPrice("005930"), (e) => e.kind === "timeout");
  });

  test("an HTML page with 200 and truncated JSON → decode errors, not retried", async () => {
    const { kis } = await warm();
    const before = count(mock, "/inquire-price");
    mock.addFault({ path: "/inquire-price", type: "status", status: 200, body: "<html>maintenance</html>" });
    await assert.rejects(kis.getPrice("005930"), (e) => e.kind === "decode" && e.body.includes("maintenance"));
    mock.addFault({ path: "/inquire-price", type: "truncated" });
    await assert.rejects(kis.getPrice("005930"), (e) => e.kind === "decode");
    assert.equal(count(mock, "/inquire-price") - before, 2);
  });

  // A price of each case's own: an identical order of another client in the same seconds
  // would make the lookup's answer ambiguous (the test after these).
  for (const [type, price] of [["executeThen504", 65000], ["executeThenReset", 64900]]) {
    test(`${type} on a buy → exactly one order in the book`, async () => {
      const { kis } = await warm();
      const booked = mock.orders("50012345").length;
      mock.addFault({ path: "/order-cash", type });
      const ack = await kis.buy({ symbol: "005930", quantity: 1, price });
      const orders = mock.orders("50012345");
      assert.equal(orders.length - booked, 1);
      assert.equal(ack.orderNo, orders.at(-1).odno);
    });
  }

  test("executeThenReset on an order sent through call() → found in today's orders, exactly one order in the book", async () => {
    const { kis } = await warm();
    const booked = mock.orders("50012345").length;
    mock.addFault({ path: "/order-cash", type: "executeThenReset" });
    const params = { PDNO: "005930", ORD_DVSN: "00", ORD_QTY: "1", ORD_UNPR: "64600", EXCG_ID_DVSN_CD: "KRX", SLL_TYPE: "", CNDT_PRIC: "" };
    const reply = await kis.call("domesticStockOrderCash", params, { trId: "TTTC0012U" });
    const orders = mock.orders("50012345");
    assert.equal(orders.length - booked, 1, "never resent");
    assert.equal(reply.body.rt_cd, "0");
    assert.equal(reply.body.output.ODNO, orders.at(-1).odno);
    assert.match(reply.body.msg1, /found in today's orders/);
  });

  test("executeThenReset on an order sent through request() → found in today's orders, booked once; another account's → orderStatusUnknown, never resent", async () => {
    const { kis } = await warm();
    const order = (account, price) => ({
      method: "POST", path: "/uapi/domestic-stock/v1/trading/order-cash", trId: "TTTC0012U",
      body: { CANO: account, ACNT_PRDT_CD: "01", PDNO: "005930", ORD_DVSN: "00", ORD_QTY: "1", ORD_UNPR: String(price), EXCG_ID_DVSN_CD: "KRX", SLL_TYPE: "", CNDT_PRIC: "" },
    });
    const booked = mock.orders("50012345").length;
    mock.addFault({ path: "/order-cash", type: "executeThenReset" });
    const reply = await kis.request(order("50012345", 64700));
    const orders = mock.orders("50012345");
    assert.equal(orders.length - booked, 1, "never resent");
    assert.equal(reply.status, 200);
    assert.equal(reply.body.output.ODNO, orders.at(-1).odno);
    assert.equal(reply.body.msg1, `the answer was lost; found in today's orders as ${orders.at(-1).odno}`);
    // Terms the lookup could not match: refused by name, nothing sent.
    const sent = count(mock, "/order-cash");
    await assert.rejects(kis.request({ ...order("50012345", 64700), body: { ...order("50012345", 64700).body, ORD_QTY: "0" } }), (e) => e.kind === "validation" && e.field === "request.body.ORD_QTY");
    assert.equal(count(mock, "/order-cash"), sent);
    // Another account's order: this client reads its own account's list only.
    const lists = count(mock, "/inquire-daily-ccld");
    mock.addFault({ path: "/order-cash", type: "executeThenReset" });
    await assert.rejects(kis.request(order("50099999", 64600)), (e) => e.kind === "orderStatusUnknown" && /^POST \/uapi\/domestic-stock\/v1\/trading\/order-cash may have reached KIS/.test(e.message));
    assert.equal(count(mock, "/order-cash"), sent + 1, "never resent");
    assert.equal(count(mock, "/inquire-daily-ccld"), lists, "no list read");
  });

  test("executeThenReset on an order of every other market with a list of orders (reserved ones too), and on its change where KIS lists one → found there, booked once", async () => {
    // Overseas stocks and domestic futures in the mock environment; overseas futures, bonds and
    // the lists of reserved orders are real-only. Each order is named in its answer's field (its
    // list's column): a reserved order by the list's own number.
    const paper = await startMockKis({ env: "mock", rateLimit: 0, tokenIssueIntervalSec: 0 });
    const real = mock;
    const markets = [
      [paper, "overseasStockOrder", { OVRS_EXCG_CD: "NASD", PDNO: "AAPL", ORD_QTY: "2", OVRS_ORD_UNPR: "150.25", ORD_SVR_DVSN_CD: "0", ORD_DVSN: "00" }, { trId: "VTTT1002U" }, "/uapi/overseas-stock/v1/trading/inquire-ccnl", "ODNO"],
      [paper, "domesticFutureoptionOrder", { ORD_PRCS_DVSN_CD: "02", SLL_BUY_DVSN_CD: "01", SHTN_PDNO: "101W09", ORD_QTY: "1", UNIT_PRICE: "352.25", ORD_DVSN_CD: "01" }, undefined, "/uapi/domestic-futureoption/v1/trading/inquire-ccnl", "ODNO"],
      [real, "overseasFutureoptionOrder", { OVRS_FUTR_FX_PDNO: "6AM24", SLL_BUY_DVSN_CD: "02", PRIC_DVSN_CD: "1", FM_LIMIT_ORD_PRIC: "0.6512", FM_STOP_ORD_PRIC: "", FM_ORD_QTY: "3", CCLD_CNDT_CD: "6", CPLX_ORD_DVSN_CD: "0", ECIS_RSVN_ORD_YN: "N", FM_HDGE_ORD_SCRN_YN: "N" }, undefined, "/uapi/overseas-futureoption/v1/trading/inquire-ccld", "ODNO"],
      [real, "domesticBondBuy", { PDNO: "KR6095572D81", ORD_QTY2: "10", BOND_ORD_UNPR: "10150.5", SAMT_MKET_PTCI_YN: "N", BOND_RTL_MKET_YN: "N", IDCR_STFNO: "", MGCO_APTM_ODNO: "", ORD_SVR_DVSN_CD: "0", CTAC_TLNO: "" }, undefined, "/uapi/domestic-bond/v1/trading/inquire-daily-ccld", "odno"],
      [real, "domesticStockOrderResv", { PDNO: "005930", ORD_QTY: "3", ORD_UNPR: "69500", SLL_BUY_DVSN_CD: "02", ORD_DVSN_CD: "00", ORD_OBJT_CBLC_DVSN_CD: "10" }, undefined, "/uapi/domestic-stock/v1/trading/order-resv-ccnl", "rsvn_ord_seq"],
      [real, "overseasStockOrderResv", { RVSE_CNCL_DVSN_CD: "00", PDNO: "AAPL", PRDT_TYPE_CD: "512", OVRS_EXCG_CD: "NASD", FT_ORD_QTY: "2", FT_ORD_UNPR3: "150.25", ORD_DVSN: "00" }, { trId: "TTTT3014U" }, "/uapi/overseas-stock/v1/trading/order-resv-list", "ODNO", "ovrs_rsvn_odno"],
      // Asia's, listed by the same list under its TR ID TTTS3014R.
      [real, "overseasStockOrderResv", { SLL_BUY_DVSN_CD: "02", RVSE_CNCL_DVSN_CD: "00", PDNO: "7203", PRDT_TYPE_CD: "515", OVRS_EXCG_CD: "TKSE", FT_ORD_QTY: "100", FT_ORD_UNPR3: "2500" }, { trId: "TTTS3013U" }, "/uapi/overseas-stock/v1/trading/order-resv-list", "ODNO", "ovrs_rsvn_odno", "TTTS3014R"],
    ];
    const changes = {
      overseasStockOrder: ["overseasStockOrderRvsecncl", { OVRS_EXCG_CD: "NASD", PDNO: "AAPL", RVSE_CNCL_DVSN_CD: "02", ORD_QTY: "2", OVRS_ORD_UNPR: "0", MGCO_APTM_ODNO: "", ORD_SVR_DVSN_CD: "0" }, { trId: "VTTT1004U" }],
      domesticFutureoptionOrder: ["domesticFutureoptionOrderRvsecncl", { ORD_PRCS_DVSN_CD: "02", RVSE_CNCL_DVSN_CD: "01", ORD_QTY: "1", UNIT_PRICE: "352.5", NMPR_TYPE_CD: "01", KRX_NMPR_CNDT_CD: "0", RMN_QTY_YN: "Y", FUOP_ITEM_DVSN_CD: "", ORD_DVSN_CD: "01" }, undefined],
      overseasFutureoptionOrder: ["overseasFutureoptionOrderRvsecncl", { ORGN_ORD_DT: "", FM_LIMIT_ORD_PRIC: "", FM_STOP_ORD_PRIC: "", FM_LQD_LMT_ORD_PRIC: "", FM_LQD_STOP_ORD_PRIC: "", FM_HDGE_ORD_SCRN_YN: "N", FM_MKPR_CVSN_YN: "N" }, { trId: "OTFM3003U" }],
      domesticBondBuy: ["domesticBondOrderRvsecncl", { PDNO: "KR6095572D81", ORD_QTY2: "10", BOND_ORD_UNPR: "10200", QTY_ALL_ORD_YN: "Y", RVSE_CNCL_DVSN_CD: "01", MGCO_APTM_ODNO: "", ORD_SVR_DVSN_CD: "0", CTAC_TLNO: "" }, undefined],
    };
    try {
      for (const [at, api, params, options, list, odno, column = odno.toLowerCase(), listTr = ""] of markets) {
        const { kis } = client(at, { tokenStore: undefined });
        // One answered, then one whose answer is lost: the list holds both, and the lookup
        // tells them apart by what this client was told of the first. (Other tests may have
        // booked orders of this list before: counted from here.)
        const path = catalogued.find((a) => a.name === api).path;
        const [earlier, placed] = [at.booked(list, "50012345", "01", listTr).length, count(at, path)];
        const first = await kis.call(api, params, options);
        at.addFault({ path, type: "executeThenReset" });
        const looked = at.requests.length;
        const reply = await kis.call(api, params, options);
        const booked = at.booked(list, "50012345", "01", listTr).slice(earlier);
        assert.equal(booked.length, 2, `${api}: booked once each, never resent`);
        assert.equal(count(at, path) - placed, 2, api);
        const answer = (r) => (Array.isArray(r.body.output) ? r.body.output[0] : r.body.output)[odno];
        assert.equal(answer(first), booked[0][column], api);
        assert.equal(reply.body.rt_cd, "0", api);
        assert.equal(answer(reply), booked[1][column], `${api}: ${JSON.stringify(reply.body)}`);
        // Named by the list it was found in, the one call() reads: getOrders() shows domestic
        // stock only.
        const listName = catalogued.find((a) => a.path === list).name;
        const lookups = at.requests.slice(looked).filter((r) => r.path === list);
        assert.ok(lookups.length > 0, `${api}: looked up in ${list}`);
        if (listTr) assert.ok(lookups.every((r) => r.headers.tr_id === listTr), `${api}: under ${listTr}`);
        const where = listTr ? "Asia's reserved orders" : /order-resv-/.test(list) ? "the reserved orders" : "today's orders";
        const under = listTr ? ` (trId ${listTr})` : "";
        assert.equal(reply.body.msg1, `the answer was lost; found in ${where} in ${listName}${under} as ${answer(reply)}`, api);

        // Its cancel or modification, the answer lost too: found as the row naming it. (A
        // reserved order's change rewrites its row: nothing to find it by.)
        if (!changes[api]) {
          kis.free();
          continue;
        }
        const [changeApi, changeParams, changeOptions] = changes[api];
        const sent = () => count(at, "/order-rvsecncl");
        const before = sent();
        at.addFault({ path: "/order-rvsecncl", type: "executeThenReset" });
        const changed = await kis.call(changeApi, { ...changeParams, ORGN_ODNO: booked[1].odno }, changeOptions);
        const now = at.booked(list, "50012345", "01", listTr).slice(earlier);
        assert.equal(sent() - before, 1, `${changeApi}: never resent`);
        assert.equal(now.length, 3, changeApi);
        assert.equal(answer(changed), now[2].odno, `${changeApi}: ${JSON.stringify(changed.body)}`);
        assert.equal(now[2].orgn_odno, booked[1].odno, changeApi);
        assert.equal(changed.body.msg1, `the answer was lost; found in today's orders in ${listName} as ${answer(changed)}`, changeApi);
        kis.free();
      }
    } finally {
      await paper.close();
    }
  });

  test("executeThenReset on an Asian reserved order's cancel (TTTS3013U, RVSE_CNCL_DVSN_CD 02) → found as the mark on the order's own row, under TTTS3014R, sent once", async () => {
    // The API and TR ID that place Asia's reserved orders cancel them too; KIS marks the
    // order's row (cncl_yn "Y") rather than listing the cancel.
    const { kis } = client(mock, { tokenStore: undefined });
    const path = "/uapi/overseas-stock/v1/trading/order-resv";
    const list = "/uapi/overseas-stock/v1/trading/order-resv-list";
    const asia = { SLL_BUY_DVSN_CD: "02", RVSE_CNCL_DVSN_CD: "00", PDNO: "7203", PRDT_TYPE_CD: "515", OVRS_EXCG_CD: "TKSE", FT_ORD_QTY: "100", FT_ORD_UNPR3: "2500" };
    const placed = (await kis.call("overseasStockOrderResv", asia, { trId: "TTTS3013U" })).body.output;
    const sent = count(mock, path);
    const looked = mock.requests.length;
    mock.addFault({ path, type: "executeThenReset" });
    const cancel = { ...asia, RVSE_CNCL_DVSN_CD: "02", RSVN_ORD_RCIT_DT: placed.RSVN_ORD_RCIT_DT, OVRS_RSVN_ODNO: placed.OVRS_RSVN_ODNO };
    const reply = await kis.call("overseasStockOrderResv", cancel, { trId: "TTTS3013U" });
    kis.free();
    const row = mock.booked(list, "50012345", "01", "TTTS3014R").find((r) => r.ovrs_rsvn_odno === placed.OVRS_RSVN_ODNO);
    assert.equal(row.cncl_yn, "Y");
    assert.equal(reply.body.output.ODNO, placed.OVRS_RSVN_ODNO);
    assert.equal(reply.body.msg1, `the answer was lost; found in Asia's reserved orders in overseasStockOrderResvList (trId TTTS3014R) as ${placed.OVRS_RSVN_ODNO}`);
    assert.equal(count(mock, path) - sent, 1, "sent once");
    const lookups = mock.requests.slice(looked).filter((r) => r.path === list);
    assert.ok(lookups.length > 0 && lookups.every((r) => r.headers.tr_id === "TTTS3014R"));
  });

  test("a US reserved order's cancel whose answer is lost → found as the mark on the order's own row when KIS took it, orderStatusUnknown when it did not; sent once each", async () => {
    const { kis } = client(mock, { tokenStore: undefined });
    const list = "/uapi/overseas-stock/v1/trading/order-resv-list";
    const us = { RVSE_CNCL_DVSN_CD: "00", PDNO: "AAPL", PRDT_TYPE_CD: "512", OVRS_EXCG_CD: "NASD", FT_ORD_QTY: "3", FT_ORD_UNPR3: "151.5", ORD_DVSN: "00" };
    // Each placed just before its cancel: kis-mock's list, as KIS's example, answers with the
    // newest row alone.
    const place = async () => {
      const r = await kis.call("overseasStockOrderResv", us, { trId: "TTTT3014U" });
      return { RSYN_ORD_RCIT_DT: r.body.output.RSVN_ORD_RCIT_DT, OVRS_RSVN_ODNO: r.body.output.OVRS_RSVN_ODNO };
    };
    const row = (no) => mock.booked(list, "50012345").find((r) => r.ovrs_rsvn_odno === no);
    const path = "/uapi/overseas-stock/v1/trading/order-resv-ccnl";
    const sent = count(mock, path);

    // KIS took it, and its answer was lost: the order's row is marked.
    const first = await place();
    mock.addFault({ path, type: "executeThenReset" });
    const reply = await kis.call("overseasStockOrderResvCcnl", first, { trId: "TTTT3017U" });
    assert.equal(row(first.OVRS_RSVN_ODNO).cncl_yn, "Y");
    assert.equal(reply.body.output.OVRS_RSVN_ODNO, first.OVRS_RSVN_ODNO);
    assert.equal(reply.body.msg1, `the answer was lost; found in the reserved orders in overseasStockOrderResvList as ${first.OVRS_RSVN_ODNO}`);
    assert.equal(count(mock, path) - sent, 1, "sent once");

    // The connection dropped before KIS took it: its row is not marked, and it is not resent.
    const second = await place();
    mock.addFault({ path, type: "reset" });
    const e = await kis.call("overseasStockOrderResvCcnl", second, { trId: "TTTT3017U" }).then(() => null, (err) => err);
    kis.free();
    assert.equal(e?.kind, "orderStatusUnknown", e?.message);
    assert.match(e.message, new RegExp(`do not show order ${second.OVRS_RSVN_ODNO} cancelled yet`));
    assert.equal(row(second.OVRS_RSVN_ODNO).cncl_yn ?? "N", "N");
    assert.equal(count(mock, path) - sent, 2, "sent once");
  });

  test("executeThenReset on a reserved order in the mock environment, which has no list of them → orderStatusUnknown sending the trader to KIS's app, sent once, no list read", async () => {
    const paper = await startMockKis({ env: "mock", rateLimit: 0, tokenIssueIntervalSec: 0 });
    try {
      const { kis } = client(paper, { tokenStore: undefined });
      const path = "/uapi/overseas-stock/v1/trading/order-resv";
      paper.addFault({ path, type: "executeThenReset" });
      const us = { RVSE_CNCL_DVSN_CD: "00", PDNO: "AAPL", PRDT_TYPE_CD: "512", OVRS_EXCG_CD: "NASD", FT_ORD_QTY: "2", FT_ORD_UNPR3: "150.25", ORD_DVSN: "00" };
      const e = await kis.call("overseasStockOrderResv", us, { trId: "VTTT3014U" }).then(() => null, (err) => err);
      kis.free();
      assert.equal(e?.kind, "orderStatusUnknown", e?.message);
      assert.match(e.message, / and KIS's mock environment offers no overseasStockOrderResvList to look it up in; check your orders in KIS's app or website before placing it again$/);
      assert.equal(count(paper, path), 1, "sent once");
      assert.equal(count(paper, "/order-resv-list"), 0, "no list read");
    } finally {
      await paper.close();
    }
  });

  test("another script's identical buy a moment before a lost answer → orderStatusUnknown naming both, not resent", async () => {
    // A fetch of its own: to this process, a client it shares nothing with, as another script is.
    const [{ kis: other }, { kis }] = [await warm({ fetch: (url, init) => fetch(url, init) }), await warm()];
    const order = { symbol: "005930", quantity: 1, price: 64800 };
    const booked = mock.orders("50012345").length;
    await other.buy(order);
    mock.addFault({ path: "/order-cash", type: "executeThenReset" });
    const e = await kis.buy(order).then(() => null, (err) => err);
    const placed = mock.orders("50012345").slice(booked).map((o) => o.odno);
    assert.equal(placed.length, 2, "one each, nothing resent");
    assert.equal(e?.kind, "orderStatusUnknown", e?.message);
    for (const no of placed) assert.ok(e.message.includes(no), e.message);
  });

  test("a client of this process placed the identical buy a moment before a lost answer → found, not resent", async () => {
    // Same app key, same fetch: the two share what they know of today's orders, so the lookup
    // can tell the other client's order from this one's.
    const [{ kis: other }, { kis, cap }] = [await warm(), await warm()];
    const order = { symbol: "005930", quantity: 1, price: 64700 };
    const booked = mock.orders("50012345").length;
    const first = await other.buy(order);
    mock.addFault({ path: "/order-cash", type: "executeThenReset" });
    const ack = await kis.buy(order);
    const placed = mock.orders("50012345").slice(booked).map((o) => o.odno);
    assert.equal(placed.length, 2, "one each, nothing resent");
    assert.deepEqual([first.orderNo, ack.orderNo], placed);
    assert.equal(ack.raw.source, "inquire-daily-ccld");
    assert.ok(cap.lines.some((l) => l.includes(`found it in today's orders as ${ack.orderNo}`)), cap.lines.join("\n"));
  });

  test("two identical buys at once, one answer lost and one slow → each its own order number", async () => {
    const { kis } = await warm();
    const booked = mock.orders("50012345").length;
    mock.addFault({ path: "/order-cash", type: "executeThenReset" });
    mock.addFault({ path: "/order-cash", type: "slow", delayMs: 600 });
    const order = { symbol: "005930", quantity: 3, price: 63000 };
    const acks = await Promise.all([kis.buy(order), kis.buy(order)]);
    const placed = mock.orders("50012345").slice(booked).map((o) => o.odno);
    assert.equal(placed.length, 2);
    assert.deepEqual(acks.map((a) => a.orderNo).sort(), [...placed].sort());
  });

  test("an order KIS does not answer in time is looked up, not resent → orderStatusUnknown", async () => {
    const { kis } = await warm({ timeoutMs: 300 });
    const sent = count(mock, "/order-cash");
    mock.addFault({ path: "/order-cash", type: "hang" });
    await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: 62000 }), (e) => e.kind === "orderStatusUnknown" && /not among today's orders yet/.test(e.message));
    assert.equal(count(mock, "/order-cash") - sent, 1);
  });

  test("an order booked but not listed yet, its answer a bare 500, a reset or a 200 page → orderStatusUnknown, one POST", async () => {
    const { kis } = await warm();
    for (const [i, fault] of [{ status: 500 }, { status: 0 }, { status: 200, body: "<html>maintenance</html>" }].entries()) {
      const sent = count(mock, "/order-cash");
      const booked = mock.orders("50012345").length;
      mock.addFault({ path: "/order-cash", type: "executeUnlisted", ...fault });
      await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: 61000 - i * 100 }), (e) => e.kind === "orderStatusUnknown" && /not among today's orders/.test(e.message));
      assert.equal(count(mock, "/order-cash") - sent, 1, `never resent: ${JSON.stringify(fault)}`);
      assert.equal(mock.orders("50012345").length - booked, 1);
    }
  });

  test("a modification or cancel whose answer is lost is found in today's orders, never resent; one not listed yet → orderStatusUnknown naming it", async () => {
    const { kis, cap } = await warm();
    const posts = () => count(mock, "/order-rvsecncl");
    const listed = async (no) => (await kis.getOrders()).find((o) => o.orderNo === no);
    const limit = await kis.buy({ symbol: "005930", quantity: 3, price: 60000 });

    let sent = posts();
    mock.addFault({ path: "/order-rvsecncl", type: "executeThenReset" });
    const revised = await kis.modify({ orderNo: limit.orderNo, orgNo: limit.orgNo, price: 60100 });
    assert.equal(posts() - sent, 1, "never resent");
    assert.equal((await listed(revised.orderNo))?.originalOrderNo, limit.orderNo);
    assert.equal((await listed(revised.orderNo))?.price, 60100);
    assert.ok(cap.lines.some((l) => l.includes(`answer to the modification was lost`) && l.includes(revised.orderNo)), cap.lines.join("\n"));

    sent = posts();
    mock.addFault({ path: "/order-rvsecncl", type: "executeThenReset" });
    const cancel = await kis.cancel({ orderNo: revised.orderNo, orgNo: revised.orgNo });
    assert.equal(posts() - sent, 1, "never resent");
    assert.equal((await listed(cancel.orderNo))?.originalOrderNo, revised.orderNo);
    assert.equal((await listed(revised.orderNo))?.cancelled, true);

    // An order number written without its leading zeros names the same order, at KIS and in the lookup.
    const short = await kis.buy({ symbol: "005930", quantity: 1, price: 59100 });
    mock.addFault({ path: "/order-rvsecncl", type: "executeThenReset" });
    const shortCancel = await kis.cancel({ orderNo: short.orderNo.replace(/^0+/, ""), orgNo: short.orgNo });
    assert.equal((await listed(shortCancel.orderNo))?.originalOrderNo, short.orderNo);

    const other = await kis.buy({ symbol: "005930", quantity: 1, price: 59000 });
    sent = posts();
    mock.addFault({ path: "/order-rvsecncl", type: "executeUnlisted", status: 500 });
    const e = await kis.cancel({ orderNo: other.orderNo, orgNo: other.orgNo }).then(() => null, (err) => err);
    assert.equal(e?.kind, "orderStatusUnknown", e?.message);
    assert.match(e.message, /^the cancel may have reached KIS .*not among today's orders.*before cancelling again/);
    assert.equal(posts() - sent, 1, "never resent");
  });

  test("an order that never reached the book is not resent either: 'not listed' proves nothing", async () => {
    const { kis } = await warm();
    const sent = count(mock, "/order-cash");
    mock.addFault({ path: "/order-cash", type: "html", status: 502 });
    await assert.rejects(kis.buy({ symbol: "005930", quantity: 1, price: 64000 }), (e) => e.kind === "orderStatusUnknown");
    assert.equal(count(mock, "/order-cash") - sent, 1);
  });
});

test("a change goes to its order's exchange: an order KIS routed through SOR is listed so by getOrders(), and its cancel names it (KIS refuses one sent to KRX, the default); buy() to NXT likewise", async () => {
  const mock = await startMockKis({ env: "real", rateLimit: 0 });
  try {
    const { kis } = client(mock, { tokenStore: undefined });
    // As KIS's app may send it: through its smart order routing.
    const r = await kis.call("domesticStockOrderCash", { PDNO: "005930", ORD_DVSN: "00", ORD_QTY: "2", ORD_UNPR: "60000", EXCG_ID_DVSN_CD: "SOR" }, { trId: "TTTC0012U" });
    const orderNo = r.body.output.ODNO;
    const listed = (await kis.getOrders()).find((o) => o.orderNo === orderNo);
    assert.equal(listed.exchange, "SOR");
    const refused = await kis.cancel({ orderNo, orgNo: listed.orgNo }).then(() => null, (e) => e);
    assert.ok(refused?.kind === "api" && refused.msgCd === "APBK1746", String(refused));
    const ack = await kis.cancel({ orderNo, orgNo: listed.orgNo, exchange: listed.exchange });
    const after = await kis.getOrders();
    assert.equal(after.find((o) => o.orderNo === orderNo).cancelled, true);
    assert.equal(after.find((o) => o.orderNo === ack.orderNo).exchange, "SOR", "the cancel's own row too");
    // The client's own order to Nextrade: listed there, and changed there.
    const nxt = await kis.buy({ symbol: "000660", quantity: 1, price: 180000, exchange: "NXT" });
    const mine = (await kis.getOrders()).find((o) => o.orderNo === nxt.orderNo);
    assert.equal(mine.exchange, "NXT");
    await kis.modify({ orderNo: nxt.orderNo, orgNo: nxt.orgNo, price: 181000, exchange: mine.exchange });
  } finally {
    await mock.close();
  }
});

test("in the mock environment an order or change naming another exchange than KRX is refused by name before it is sent", async () => {
  const mock = await startMockKis({ env: "mock", rateLimit: 0 });
  try {
    const { kis } = client(mock, { tokenStore: undefined });
    const sent = count(mock, "/order-rvsecncl");
    const e = await kis.modify({ orderNo: "0000000001", orgNo: "00950", price: 70000, exchange: "NXT" }).then(() => null, (err) => err);
    assert.ok(e?.kind === "validation" && e.field === "modify.exchange", String(e));
    const bad = await kis.cancel({ orderNo: "0000000001", orgNo: "00950", exchange: "krx" }).then(() => null, (err) => err);
    assert.ok(bad?.kind === "validation" && bad.field === "cancel.exchange", String(bad));
    assert.equal(count(mock, "/order-rvsecncl"), sent);
    const orders = count(mock, "/order-cash");
    const order = await kis.buy({ symbol: "005930", quantity: 1, price: 70000, exchange: "SOR" }).then(() => null, (err) => err);
    assert.ok(order?.kind === "validation" && order.field === "order.exchange", String(order));
    assert.equal(count(mock, "/order-cash"), orders);
  } finally {
    await mock.close();
  }
});

test("tokenP: one issuance a minute (EGW00133) and the same token within 6 hours", async () => {
  const mock = await startMockKis({ rateLimit: 0 });
  saved.clear();
  try {
    const issue = () => fetch(`${mock.url}/oauth2/tokenP`, { method: "POST", body: JSON.stringify({ grant_type: "client_credentials", appkey: APP_KEY, appsecret: APP_SECRET }) });
    const first = await issue();
    assert.equal(first.status, 200);
    const second = await issue();
    assert.equal(second.status, 403);
    assert.equal((await second.json()).error_code, "EGW00133");
    const { kis } = client(mock, { logger: null });
    await assert.rejects(kis.getPrice("005930"), (e) => e.kind === "rateLimited" && e.msgCd === "EGW00133" && e.retryAfterMs === 60000);
    // Without a tokenStore, the client's store is its own: nothing can appear there, so no wait.
    // (A fetch of its own, too: a client on the same one would share the first one's minute.)
    const started = Date.now();
    const lone = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: mock.url, env: mock.env, logger: null, fetch: (url, init) => fetch(url, init) });
    await assert.rejects(lone.getPrice("005930"), (e) => e.msgCd === "EGW00133");
    assert.ok(Date.now() - started < 900, "refused at once (B1)");
  } finally {
    await mock.close();
  }
});

test("revokeToken(): KIS forgets the token, the token file keeps it as expired, and the clients on it are issued a new one", async () => {
  const mock = await startMockKis({ env: "mock", rateLimit: 0, tokenIssueIntervalSec: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kis-revoke-"));
  const file = path.join(dir, "tokens.json");
  const { fileTokenStore } = await import("kis-wasm");
  // Fetches of their own: two scripts of the user's, each with its own minute (B2).
  const make = (cap) => new KisClient({
    appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: mock.url, env: "mock", rateLimitPerSec: 0, tokenStore: fileTokenStore(file),
    onEvent: cap.onEvent, logger: cap.logger, fetch: (url, init) => fetch(url, init),
  });
  const cap = capture();
  try {
    const a = make(cap);
    assert.equal(await a.revokeToken(), false, "none yet: nothing is issued to be revoked");
    assert.equal(mock.counts.tokenP, 0);
    await a.getPrice("005930");
    const [leaked] = Object.values(JSON.parse(fs.readFileSync(file, "utf8"))).map((t) => t.accessToken);
    assert.equal(await a.revokeToken(), true);
    assert.equal(a.token, null);
    assert.equal(mock.counts.revokeP, 1);
    // A copy of it is worth nothing now.
    const withLeaked = await fetch(`${mock.url}/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`, {
      headers: { authorization: `Bearer ${leaked}`, appkey: APP_KEY, appsecret: APP_SECRET, tr_id: "FHKST01010100", custtype: "P" },
    });
    assert.equal((await withLeaked.json()).msg_cd, "EGW00121");
    const kept = Object.values(JSON.parse(fs.readFileSync(file, "utf8")))[0];
    assert.ok(kept.accessToken === leaked && kept.expiresAt <= Date.now(), "kept as expired, so no client takes it back");
    // Another script on the file is issued a new token rather than sending the revoked one.
    const b = make(cap);
    await b.getPrice("005930");
    assert.equal(mock.counts.tokenP, 2);
    // Revoked from the first script, which holds none: the one the file keeps, b's. b is told
    // so by KIS at its next call (EGW00121) and issued another (S6), and its call succeeds.
    assert.equal(await a.revokeToken(), true);
    assert.equal((await b.getPrice("005930")).symbol, "005930");
    assert.equal(mock.counts.tokenP, 3);
    assert.equal(mock.counts.revokeP, 2);
    assert.ok(cap.events.some((e) => e.type === "token" && e.reason === "revoked" && e.path === "/oauth2/revokeP"));
    // What the mock recorded of the revocations shows neither the token nor the keys.
    const recorded = mock.requests.filter((r) => r.path === "/oauth2/revokeP").map((r) => r.body).join(" ");
    assert.ok(!recorded.includes(leaked) && !recorded.includes(APP_SECRET), recorded);
    assertNoSecrets(assert, cap.text());
    a.free();
    b.free();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await mock.close();
  }
});

test("two processes starting together on one token file: KIS issues once, and the one it refuses takes the token from the file", async () => {
  const mock = await startMockKis({ rateLimit: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kis-store-"));
  // KIS mints the first process's token at once but answers 300 ms later, so the second asks
  // while the file is still empty and is refused (EGW00133) before the token lands there.
  mock.addFault({ path: "/oauth2/tokenP", type: "slow", delayMs: 300 });
  const script = `
    import { KisClient, fileTokenStore } from "kis-wasm";
    const reasons = [];
    const kis = new KisClient({ appKey: process.env.KEY, appSecret: process.env.SECRET, baseUrl: process.env.MOCK, env: process.env.ENV,
      rateLimitPerSec: 0, logger: null, tokenStore: fileTokenStore(process.env.STORE),
      onEvent: (e) => e.type === "token" && reasons.push(e.reason ?? e.status) });
    console.log("ready");
    process.stdin.once("data", async () => {
      try {
        console.log(JSON.stringify({ price: (await kis.getPrice("005930")).price, reasons }));
      } catch (e) {
        console.log(JSON.stringify({ error: e.message, reasons }));
      }
      process.exit(0);
    });`;
  const env = { ...process.env, KEY: APP_KEY, SECRET: APP_SECRET, MOCK: mock.url, ENV: mock.env, STORE: path.join(dir, "tokens.json") };
  const start = () => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env });
    let out = "";
    const ready = new Promise((resolve) => child.stdout.on("data", (d) => (out += d) && out.includes("ready") && resolve()));
    const done = new Promise((resolve) => child.on("exit", () => resolve(JSON.parse(out.split("\n")[1]))));
    return { child, ready, done };
  };
  try {
    const both = [start(), start()];
    await Promise.all(both.map((p) => p.ready));
    for (const p of both) p.child.stdin.end("go\n");
    const results = await Promise.all(both.map((p) => p.done));
    for (const r of results) assert.ok(r.price > 0, JSON.stringify(r));
    assert.equal(count(mock, "/oauth2/tokenP"), 2, "both found the file empty and asked");
    assert.equal(mock.counts.tokenP, 1, "KIS issued one token");
    assert.deepEqual(results.map((r) => r.reasons.join()).sort(), ["403,stored", "issued"], "one was issued the token, the other refused and took it from the file");
  } finally {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("clients of one app key in one process: one token, one rate limit, even a client per task", async () => {
  const mock = await startMockKis({ env: "real", rateLimit: 5 });
  try {
    // No tokenStore: what they share, they share in the package (the default fetch is one way
    // to KIS for all of them).
    const make = () => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: mock.url, env: "real", rateLimitPerSec: 5, logger: null });
    const [a, b] = [make(), make()];
    const quotes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).getPrice("035420")));
    assert.equal(quotes.length, 8);
    assert.equal(mock.counts.tokenP, 1, "one issuance for two cold clients");
    assert.equal(mock.counts.egw00201, 0, "5 a second between them, not 5 each");
    // A script or a server that makes a client per task: each new one takes the token, where
    // asking KIS again within the minute would be refused (EGW00133) for a minute.
    for (let i = 0; i < 3; i++) assert.equal((await make().getPrice("005930")).symbol, "005930");
    assert.equal(mock.counts.tokenP, 1);
    assert.equal(mock.counts.egw00201, 0);
  } finally {
    await mock.close();
  }
});

test("the per-second limit: a client at the limit never trips EGW00201", async () => {
  const mock = await startMockKis({ env: "real", rateLimit: 5 });
  saved.clear();
  try {
    const { kis } = client(mock, { rateLimitPerSec: 5 });
    await kis.ensureToken();
    const quotes = await Promise.all(Array.from({ length: 12 }, () => kis.getPrice("035420")));
    assert.equal(quotes.length, 12);
    assert.equal(mock.counts.egw00201, 0);
    const { kis: unlimited } = client(mock, { rateLimitPerSec: 0, appKey: APP_KEY });
    const burst = await Promise.all(Array.from({ length: 8 }, () => unlimited.getPrice("035420")));
    assert.equal(burst.length, 8, "the gateway's refusals were waited out");
    assert.ok(mock.counts.egw00201 > 0, "without the limiter the mock does refuse");
  } finally {
    await mock.close();
  }
});

test("a body that is JSON but not an object (null, an array, a number) is refused as KIS refuses a bad request, and the mock lives on", async () => {
  const mock = await startMockKis({ env: "mock", rateLimit: 0 });
  const crashed = [];
  const onUncaught = (e) => crashed.push(e);
  process.on("uncaughtException", onUncaught);
  try {
    const token = await (await fetch(`${mock.url}/oauth2/tokenP`, { method: "POST", body: JSON.stringify({ grant_type: "client_credentials", appkey: APP_KEY, appsecret: APP_SECRET }) })).json();
    const kisHeaders = { "content-type": "application/json", authorization: `Bearer ${token.access_token}`, appkey: APP_KEY, appsecret: APP_SECRET, custtype: "P", tr_id: "VTTC0012U" };
    for (const body of ["null", "[]", "7", '"x"']) {
      const post = (path, headers = {}) => fetch(mock.url + path, { method: "POST", headers, body }).then(async (r) => [r.status, await r.json()]);
      assert.deepEqual(await post("/oauth2/tokenP"), [400, { error_code: "EGW00002", error_description: "잘못된 요청입니다." }], body);
      assert.equal((await post("/oauth2/Approval"))[0], 400, body);
      const [status, answer] = await post("/uapi/domestic-stock/v1/trading/order-cash", kisHeaders);
      assert.equal(status, 500, body);
      assert.equal(answer.msg_cd, "OPSQ0003", body);
      assert.equal((await post("/__mock/faults"))[0], 400, body);
    }
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(crashed.map(String), []);
    // And it still answers as before.
    const quote = await fetch(`${mock.url}/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`, { headers: { ...kisHeaders, tr_id: "FHKST01010100" } }).then((r) => r.json());
    assert.equal(quote.output.stck_prpr, "71000");
  } finally {
    process.off("uncaughtException", onUncaught);
    await mock.close();
  }
});

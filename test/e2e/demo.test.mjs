// The demo as `scripts/demo.sh` starts it: the proxy holds the keys (5 calls a second at the
// embedded mock) and the page connects by itself. What a newcomer sees in the first minute:
// prices at once, an order's row at once, a cancel that never offers a second cancel, a chart
// whose label always names the candles shown, and a request log that fits an 800 px screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../chromium.mjs";
import { clearOfKstMidnight } from "../kst-day.mjs";
import { KisClient } from "kis-wasm";
import { startStack } from "../../www/stack.mjs";

let stack, context, page, loaded;
const errors = [];

before(async () => {
  await clearOfKstMidnight();
  stack = await startStack({ port: 0 });
  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "kis-demo-")), {
    ...CHROMIUM,
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(String(e)));
  // Every state the chart passes through: its label and the candles it shows, side by side.
  await context.addInitScript(() => {
    window.__chartStates = [];
    document.addEventListener("DOMContentLoaded", () => {
      const chart = document.querySelector("#chart");
      const label = document.querySelector("#chart-symbol");
      const note = () => {
        if (chart.dataset.shown) window.__chartStates.push([label.textContent, chart.dataset.shown]);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-shown"] });
    });
  });
  loaded = Date.now();
  await page.goto(stack.url);
});

after(async () => {
  await context?.close();
  await stack?.close();
});

test("the demo connects on its own, with no keys in the page, and the first prices come within 2 s", async () => {
  await page.waitForSelector("#watch-rows tr[data-price]", { timeout: 15000 });
  const first = Date.now() - loaded;
  assert.ok(first < 2000, `first price after ${first} ms`);
  await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-price="71000"]', { timeout: 15000 });
  await page.waitForSelector('#holding-rows tr[data-symbol="005930"]', { timeout: 15000 });
  assert.equal(await page.isVisible("#held-note"), true);
  assert.equal(await page.isDisabled("#settings [name=appKey]"), true);
  assert.deepEqual(errors, []);
});

test("an order's row shows within 2 s of placing it, and after a cancel the row never offers Cancel again", async () => {
  await page.check("#order-form [name=side][value=buy]");
  await page.fill("#order-form [name=symbol]", "005930");
  await page.selectOption("#order-form [name=type]", "limit");
  await page.fill("#order-form [name=quantity]", "2");
  await page.fill("#order-form [name=price]", "60000");
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
  const placed = Date.now();
  await page.click("#confirm-ok");
  await page.waitForFunction(() => /accepted/.test(document.querySelector("#order-message")?.textContent ?? ""), null, { timeout: 15000 });
  const orderNo = (await page.textContent("#order-message")).match(/Order (\d{10})/)[1];
  const row = `#order-rows tr[data-order-no="${orderNo}"]`;
  await page.waitForSelector(`${row}[data-state="open"]`, { timeout: 15000 });
  const shown = Date.now() - placed;
  assert.ok(shown < 2000, `the order's row came ${shown} ms after "Place order"`);

  // From the click on, no state of the page has a Cancel button on that row.
  await page.evaluate((no) => {
    window.__liveCancel = [];
    const check = () => {
      const tr = document.querySelector(`#order-rows tr[data-order-no="${no}"]`);
      if (tr?.querySelector("button")) window.__liveCancel.push(tr.dataset.state);
    };
    new MutationObserver(check).observe(document.querySelector("#order-rows"), { subtree: true, childList: true, attributes: true });
  }, orderNo);
  await page.click(`${row} button[data-action=cancel]`);
  assert.equal(await page.$(`${row} button`), null, "the buttons go with the click");
  await page.waitForFunction(() => /cancelled/.test(document.querySelector("#order-message")?.textContent ?? ""), null, { timeout: 15000 });
  await page.waitForSelector(`${row}[data-state="cancelled"]`, { timeout: 15000 });
  // Through the next account round too.
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await page.evaluate(() => window.__liveCancel), [], "a Cancel button showed on the cancelled row");
  assert.equal(stack.mock.orders("50012345").find((o) => o.odno === orderNo).cancelled, true);
  assert.ok(!/APBK0634/.test((await page.textContent("#error")) ?? ""));
});

test("the chart's label always names the candles it shows, through quick period and symbol changes", async () => {
  // The weekly candles come slowly: the monthly ones, asked for after, arrive first.
  stack.mock.addFault({ path: "/inquire-daily-price", type: "slow", delayMs: 800 });
  await page.click('#periods button[data-period="W"]');
  await page.click('#periods button[data-period="M"]');
  await page.waitForFunction(() => document.querySelector("#chart-symbol")?.textContent === "005930 · M", null, { timeout: 15000 });
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(await page.textContent("#chart-symbol"), "005930 · M", "the slow weekly answer did not replace them");
  await page.click('#watch-rows tr[data-symbol="000660"]');
  await page.waitForFunction(() => document.querySelector("#chart-symbol")?.textContent === "000660 · M", null, { timeout: 15000 });
  await page.click('#periods button[data-period="D"]');
  await page.waitForFunction(() => document.querySelector("#chart-symbol")?.textContent === "000660 · D", null, { timeout: 15000 });
  const states = await page.evaluate(() => window.__chartStates);
  assert.ok(states.length > 0);
  for (const [label, shown] of states) assert.equal(label, shown, JSON.stringify(states));
  assert.ok(!states.some(([label]) => label === "005930 · W"), "an answer overtaken by a later click is dropped");
});

test("at 800 px the request log shows its Status, ms and Note columns", async () => {
  await page.setViewportSize({ width: 800, height: 900 });
  await page.waitForSelector("#log-rows tr");
  const fit = await page.$eval(".card.log", (card) => {
    const right = card.getBoundingClientRect().right;
    const heads = [...card.querySelectorAll("thead th")].map((th) => [th.textContent, th.getBoundingClientRect().right]);
    return { right, overflows: card.scrollWidth > card.clientWidth, heads };
  });
  assert.ok(!fit.overflows, JSON.stringify(fit));
  for (const [name, right] of fit.heads) assert.ok(right <= fit.right + 0.5, `${name} is cut off: ${JSON.stringify(fit)}`);
  const path = await page.$eval("#log-rows tr td.path", (td) => td.title);
  assert.match(path, /^\/uapi\//, "the whole path is in the cell's title");
  fs.mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: "test-results/demo-800px.png", fullPage: true });
});

test("the orderbook panel shows the selected symbol's ten levels a side", async () => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.click('#watch-rows tr[data-symbol="005930"]');
  await page.waitForSelector('#book-rows[data-symbol="005930"]', { timeout: 15000 });
  const book = await page.$eval("#book-rows", (b) => ({ rows: b.rows.length, ask: Number(b.dataset.bestAsk), bid: Number(b.dataset.bestBid) }));
  assert.equal(book.rows, 20);
  assert.ok(book.ask > book.bid, JSON.stringify(book));
  assert.match(await page.textContent("#book-symbol"), /^005930 · \d\d:\d\d:\d\d$/);
  // Prices coloured as a Korean trader reads them, against 기준가 (yesterday's close: the
  // watchlist's price less its change): red above, blue below, whichever side they are on.
  const number = (text) => Number(text.replace(/,/g, ""));
  await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-price]', { timeout: 15000 });
  const [price, change] = await page.$$eval('#watch-rows tr[data-symbol="005930"] td', (tds) => [tds[2].textContent, tds[3].textContent]);
  const seen = await page.$eval("#book-rows", (b) => ({ base: b.dataset.base, cells: [...b.rows].map((r) => [r.cells[1].textContent, r.cells[1].className]) }));
  assert.equal(number(seen.base), number(price) - number(change), "기준가 is yesterday's close");
  for (const [text, cls] of seen.cells) {
    const p = number(text);
    assert.equal(cls, p > number(seen.base) ? "up" : p < number(seen.base) ? "down" : "", `${text} against ${seen.base}`);
  }
});

test("the minute chart draws today's minutes", async () => {
  await page.click('#periods button[data-period="m"]');
  await page.waitForFunction(() => document.querySelector("#chart-symbol")?.textContent === "005930 · m", null, { timeout: 15000 });
  const bars = Number(await page.getAttribute("#chart", "data-bars"));
  // Two pages of 30; in the session's first half hour (KST), only the minutes since 09:00.
  const kst = new Date(Date.now() + 9 * 3_600_000);
  const sinceOpen = kst.getUTCHours() * 60 + kst.getUTCMinutes() - 9 * 60;
  const least = sinceOpen >= 0 && sinceOpen < 30 ? Math.max(1, sinceOpen) : 30;
  assert.ok(bars >= least, `${bars} minute bars, ${sinceOpen} minutes after 09:00 KST`);
  await page.click('#periods button[data-period="D"]');
  await page.waitForFunction(() => document.querySelector("#chart-symbol")?.textContent === "005930 · D", null, { timeout: 15000 });
});

test("the API explorer finds an API by its Korean name, builds its form and runs it through the proxy", async () => {
  await page.waitForFunction(() => /\d+ APIs/.test(document.querySelector("#api-count")?.textContent ?? ""), null, { timeout: 15000 });
  assert.equal(await page.textContent("#api-count"), "275 APIs");
  await page.fill("#api-search", "호가/예상체결");
  await page.waitForSelector('#api-hits button[data-name="domesticStockInquireAskingPriceExpCcn"]');
  await page.fill("#api-search", "FHKST01010200");
  await page.click('#api-hits button[data-name="domesticStockInquireAskingPriceExpCcn"]');
  assert.match(await page.textContent("#api-title"), /GET \/uapi\/domestic-stock\/v1\/quotations\/inquire-asking-price-exp-ccn/);
  assert.equal(await page.getAttribute('#api-form [name="FID_INPUT_ISCD"]', "data-required"), "");
  await page.fill('#api-form [name="FID_COND_MRKT_DIV_CODE"]', "J");
  await page.fill('#api-form [name="FID_INPUT_ISCD"]', "005930");
  await page.click("#api-form button[type=submit]");
  await page.waitForSelector('#api-answer[data-api="domesticStockInquireAskingPriceExpCcn"] table[data-group="output1"]', { timeout: 15000 });
  assert.match(await page.textContent('#api-answer table[data-group="output1"]'), /askp1/);
  // In mock, what KIS offers there comes first, and the rest says it is real only: of the
  // asking-price APIs, the domestic stock one (offered in mock) before the ETF one (not).
  await page.fill("#api-search", "호가");
  const hits = await page.$$eval("#api-hits button", (bs) => bs.map((b) => [b.dataset.name, b.textContent]));
  const at = (name) => hits.findIndex(([n]) => n === name);
  assert.ok(at("domesticStockInquireAskingPriceExpCcn") >= 0 && at("etfetnInquireAskingPrice") >= 0, JSON.stringify(hits));
  assert.ok(at("domesticStockInquireAskingPriceExpCcn") < at("etfetnInquireAskingPrice"), JSON.stringify(hits));
  assert.match(hits[at("etfetnInquireAskingPrice")][1], / · real only$/);
  assert.doesNotMatch(hits[at("domesticStockInquireAskingPriceExpCcn")][1], /real only/);
  const offered = hits.map(([, t]) => !/real only$/.test(t));
  assert.deepEqual(offered, [...offered].sort((a, b) => b - a), "every API offered in mock before every one that is not");
  // Switched to real and back, the list is the new environment's at once, the search untouched.
  const marked = () => page.$$eval("#api-hits button", (bs) => bs.filter((b) => / · real only$/.test(b.textContent)).length);
  const switchTo = async (env) => {
    await page.selectOption("#settings [name=env]", env);
    await page.click("#settings button[type=submit]");
    await page.waitForFunction((env) => document.querySelector("#env-badge")?.className === `env ${env}`, env);
  };
  await switchTo("real");
  assert.equal(await marked(), 0, "in real, no API is marked real only");
  assert.equal(await page.inputValue("#api-search"), "호가");
  await switchTo("mock");
  assert.equal(await marked(), offered.filter((o) => !o).length, "back in mock, the same APIs are marked");
  // A real-only API says so, and in mock the client refuses it before sending.
  await page.fill("#api-search", "period-rights");
  await page.click('#api-hits button[data-name="domesticStockPeriodRights"]');
  assert.match(await page.textContent("#api-title"), /not in mock/);
  await page.click("#api-form button[type=submit]");
  await page.waitForFunction(() => /not offered by KIS in the mock environment/.test(document.querySelector("#api-answer")?.textContent ?? ""), null, { timeout: 15000 });
  assert.equal(stack.mock.requests.filter((r) => r.path.endsWith("period-rights")).length, 0, "nothing sent");
});

test("live: ticks move the watchlist, the orderbook and the last candle, a fill shows as a toast, through the proxy's websocket, and no key, token or approval key reaches the page", async () => {
  const frames = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => frames.push(String(f.payload)));
    ws.on("framereceived", (f) => frames.push(String(f.payload)));
  });
  await page.check("#live");
  await page.waitForFunction(() => document.querySelector("#rt-state")?.textContent === "open", null, { timeout: 15000 });
  await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-source="tick"]', { timeout: 15000 });
  const price = Number(await page.getAttribute('#watch-rows tr[data-symbol="005930"]', "data-price"));
  assert.ok(Math.abs(price - 71000) <= 200, String(price));
  assert.ok(frames.some((f) => f.startsWith("0|H0STCNT0|")), "ticks came over the socket");
  // The selected symbol's orderbook and the chart's last candle move from the socket too.
  await page.click('#watch-rows tr[data-symbol="005930"]');
  await page.click('#periods button[data-period="D"]');
  await page.waitForSelector('#book-rows[data-symbol="005930"][data-source="tick"]', { timeout: 15000 });
  const book = await page.$eval("#book-rows", (b) => ({ rows: b.rows.length, ask: Number(b.dataset.bestAsk), bid: Number(b.dataset.bestBid) }));
  assert.equal(book.rows, 20);
  assert.ok(book.ask > book.bid, JSON.stringify(book));
  assert.ok(frames.some((f) => f.startsWith("0|H0STASP0|")), "books came over the socket");
  await page.waitForSelector("#chart[data-last-close]", { timeout: 15000 });
  const close = Number(await page.getAttribute("#chart", "data-last-close"));
  assert.ok(Math.abs(close - 71000) <= 200, `the last candle closes at the last trade: ${close}`);
  // A market order fills at once: its fill notice comes encrypted over the socket, shows as a
  // toast, and today's orders show it.
  await page.check("#order-form [name=side][value=buy]");
  await page.fill("#order-form [name=symbol]", "005930");
  await page.selectOption("#order-form [name=type]", "market");
  await page.fill("#order-form [name=quantity]", "1");
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
  await page.click("#confirm-ok");
  await page.waitForFunction(() => /accepted/.test(document.querySelector("#order-message")?.textContent ?? ""), null, { timeout: 15000 });
  const orderNo = (await page.textContent("#order-message")).match(/Order (\d{10})/)[1];
  await page.waitForSelector(`#toasts .toast[data-order-no="${orderNo}"]`, { timeout: 15000 });
  assert.match(await page.textContent(`#toasts .toast[data-order-no="${orderNo}"]`), /^Bought 1 삼성전자 @ [\d,]+ · order \d{10} · \d\d:\d\d:\d\d$/);
  assert.ok(frames.some((f) => f.startsWith("1|H0STCNI9|")), "the notice came encrypted");
  await page.waitForSelector(`#order-rows tr[data-order-no="${orderNo}"]`, { timeout: 15000 });
  const sent = frames.filter((f) => f.includes('"approval_key"'));
  assert.ok(sent.length > 0 && sent.every((f) => f.includes('"approval_key":"held-by-proxy"')), sent.join("\n"));
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  const visible = await page.evaluate(() => document.body.innerText);
  for (const text of [frames.join("\n"), storage, visible]) {
    assert.ok(!uuid.test(text), "no real approval key");
    assert.ok(!/mock-token-|demo-app-secret|demo-app-key/.test(text), "no key, secret or token");
  }
  await page.uncheck("#live");
  await page.waitForFunction(() => ["", "closed"].includes(document.querySelector("#rt-state")?.textContent ?? ""), null, { timeout: 5000 });
});

test("live: an order filled while the socket was down, its notice lost with it, shows in today's orders as soon as the socket is back", async () => {
  await page.check("#live");
  await page.waitForFunction(() => document.querySelector("#rt-state")?.textContent === "open", null, { timeout: 15000 });
  await page.evaluate(() => {
    window.__rtStates = [];
    new MutationObserver(() => window.__rtStates.push(document.querySelector("#rt-state").textContent))
      .observe(document.querySelector("#rt-state"), { childList: true, characterData: true, subtree: true });
  });
  // The socket drops; another script on the account buys at market in the gap, and its fill
  // notice goes to no connection.
  const other = new KisClient({
    appKey: "PSdemoOtherScriptKey0123456789abcdef", appSecret: "other-secret-0123456789", account: "50012345-01",
    env: "mock", baseUrl: stack.mock.url, logger: null, rateLimitPerSec: 0, hashkey: false,
  });
  await other.ensureToken();
  stack.mock.realtime.dropAll();
  await page.waitForFunction(() => window.__rtStates.includes("reconnecting"), null, { timeout: 5000 });
  const theirs = await other.buy({ symbol: "000660", quantity: 1 });
  assert.equal(await page.textContent("#rt-state"), "reconnecting", "bought in the gap");
  other.free();
  await page.waitForFunction(() => {
    const s = window.__rtStates;
    return s.includes("reconnecting") && s.at(-1) === "open";
  }, null, { timeout: 15000 });
  // Back: the orders are read again at once, not at the next 15-second round.
  await page.waitForSelector(`#order-rows tr[data-order-no="${theirs.orderNo}"]`, { timeout: 3000 });
  await page.uncheck("#live");
  await page.waitForFunction(() => ["", "closed"].includes(document.querySelector("#rt-state")?.textContent ?? ""), null, { timeout: 5000 });
});

test("live: an order the exchange refuses after KIS took it shows as a toast that stays, and in today's orders as refused", async () => {
  await page.check("#live");
  await page.waitForFunction(() => document.querySelector("#rt-state")?.textContent === "open", null, { timeout: 15000 });
  // A limit buy well below the market rests open.
  await page.check("#order-form [name=side][value=buy]");
  await page.fill("#order-form [name=symbol]", "005930");
  await page.selectOption("#order-form [name=type]", "limit");
  await page.fill("#order-form [name=quantity]", "2");
  await page.fill("#order-form [name=price]", "60000");
  const said = await page.textContent("#order-message");
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
  await page.click("#confirm-ok");
  await page.waitForFunction((said) => {
    const now = document.querySelector("#order-message")?.textContent ?? "";
    return /accepted/.test(now) && now !== said;
  }, said, { timeout: 15000 });
  const orderNo = (await page.textContent("#order-message")).match(/Order (\d{10})/)[1];
  await page.waitForSelector(`#order-rows tr[data-order-no="${orderNo}"][data-state="open"]`, { timeout: 15000 });
  assert.equal(stack.mock.reject("50012345", orderNo), true);
  const toast = await page.waitForSelector(`#toasts .toast.rejected[data-order-no="${orderNo}"]`, { timeout: 15000 });
  assert.equal(await toast.getAttribute("role"), "alert");
  assert.match(await toast.textContent(), /^Rejected by the exchange: buy 2 삼성전자 · order \d{10} · \d\d:\d\d:\d\d$/);
  // The notice reads today's orders again: the order is over, refused (KIS's rjct_qty).
  const row = await page.waitForSelector(`#order-rows tr[data-order-no="${orderNo}"][data-state="rejected"]`, { timeout: 15000 });
  assert.equal((await row.$$eval("td", (tds) => tds.map((td) => td.textContent.trim()))).at(-1), "refused by the exchange");
  // Past a fill's few seconds, the refusal is still there until it is clicked away.
  await page.waitForTimeout(8500);
  await toast.click();
  await page.waitForSelector(`#toasts .toast.rejected[data-order-no="${orderNo}"]`, { state: "detached", timeout: 2000 });
  await page.uncheck("#live");
  await page.waitForFunction(() => ["", "closed"].includes(document.querySelector("#rt-state")?.textContent ?? ""), null, { timeout: 5000 });
});

test("live: a burst of fills and refusals stays on the screen: five fills at most, the refusals kept, and one click clears them", async () => {
  await page.check("#live");
  await page.waitForFunction(() => document.querySelector("#rt-state")?.textContent === "open", null, { timeout: 15000 });
  // Another script on the account: three limit buys the exchange then refuses, seven market buys.
  const other = new KisClient({
    appKey: "PSdemoBurstScriptKey0123456789abcdef", appSecret: "burst-secret-0123456789", account: "50012345-01",
    env: "mock", baseUrl: stack.mock.url, logger: null, rateLimitPerSec: 0, hashkey: false,
  });
  const resting = [];
  for (let i = 0; i < 3; i++) resting.push((await other.buy({ symbol: "005930", quantity: 1, price: 60000 })).orderNo);
  for (const orderNo of resting) assert.equal(stack.mock.reject("50012345", orderNo), true);
  await page.waitForFunction((n) => document.querySelectorAll("#toasts .toast.rejected").length === n, resting.length, { timeout: 15000 });
  assert.equal(await page.textContent("#toasts button.toasts-clear"), "Dismiss 3 refusals");
  const bought = [];
  for (let i = 0; i < 7; i++) bought.push((await other.buy({ symbol: "000660", quantity: 1 })).orderNo);
  await page.waitForSelector(`#toasts .toast[data-order-no="${bought.at(-1)}"]`, { timeout: 15000 });
  const shown = await page.$$eval("#toasts .toast:not(.rejected)", (ts) => ts.map((t) => t.dataset.orderNo));
  assert.deepEqual(shown, bought.slice(-5), "the five latest fills, the oldest gone first");
  assert.equal(await page.locator("#toasts .toast.rejected").count(), 3, "no refusal taken away unasked");
  const box = await page.locator("#toasts").boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= 1000, `the toasts fit the 1000 px screen: ${JSON.stringify(box)}`);
  await page.click("#toasts button.toasts-clear");
  assert.equal(await page.locator("#toasts .toast.rejected").count(), 0);
  assert.equal(await page.locator("#toasts button.toasts-clear").count(), 0);
  other.free();
  await page.uncheck("#live");
  await page.waitForFunction(() => ["", "closed"].includes(document.querySelector("#rt-state")?.textContent ?? ""), null, { timeout: 5000 });
});

test("live in two tabs at once: both move from the socket, over the one KIS session the proxy keeps for its pages", async () => {
  // KIS allows one session an app key: before the proxy shared its session, the second tab's
  // subscriptions were refused (OPSP8996).
  const second = await context.newPage();
  try {
    await second.goto(stack.url);
    await second.waitForSelector("#watch-rows tr[data-price]", { timeout: 15000 });
    const ticks = new Map([[page, 0], [second, 0]]);
    for (const p of [page, second]) {
      p.on("websocket", (ws) => ws.on("framereceived", (f) => {
        if (/^0\|H0STCNT0\|\d+\|005930\^/.test(String(f.payload))) ticks.set(p, ticks.get(p) + 1);
      }));
    }
    await page.check("#live");
    await second.check("#live");
    for (const p of [page, second]) {
      await p.waitForFunction(() => document.querySelector("#rt-state")?.textContent === "open", null, { timeout: 15000 });
    }
    const end = Date.now() + 15000;
    while (ticks.get(page) < 3 || ticks.get(second) < 3) {
      assert.ok(Date.now() < end, `ticks: ${[...ticks.values()]}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(stack.mock.realtime.counts.refusedSessions, 0, "KIS refused no session");
    assert.equal(stack.mock.realtime.sessions(), 1, "one session for both tabs");
    assert.equal(await second.textContent("#rt-state"), "open");
  } finally {
    await second.close();
  }
  await page.uncheck("#live");
});

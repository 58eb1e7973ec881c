// The dashboard in real headless Chromium (Debian's), driven by playwright-core, against the
// demo stack: static server + CORS proxy + mock KIS server, all on 127.0.0.1.
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

const APP_KEY = "PSe2eAppKey0123456789abcdefghijklmn";
const APP_SECRET = "e2eSecret/0123456789+abcdefghijklmnopqrstuvwxyz==";
const OUT = path.resolve("test-results");

let stack, context, page;
const consoleErrors = [];

before(async () => {
  await clearOfKstMidnight();
  stack = await startStack({ port: 0, hold: false });
  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "kis-e2e-")), {
    ...CHROMIUM,
    viewport: { width: 1400, height: 1100 },
  });
  // The chart draws its price axis on a canvas: record the texts drawn there.
  await context.addInitScript(() => {
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    window.__drawnTexts = new Set();
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
      window.__drawnTexts.add(String(text));
      return fillText.call(this, text, ...rest);
    };
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(stack.url);
  await page.fill("#settings [name=appKey]", APP_KEY);
  await page.fill("#settings [name=appSecret]", APP_SECRET);
  await page.click("#settings button[type=submit]");
});

after(async () => {
  await context?.close();
  await stack?.close();
});

test("quotes for the watchlist appear", async () => {
  await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-price="71000"]', { timeout: 15000 });
  await page.waitForSelector('#watch-rows tr[data-symbol="360750"][data-price="19000"]', { timeout: 15000 });
  assert.match(await page.textContent("#env-badge"), /MOCK/);
  assert.deepEqual(consoleErrors, [], "the page loads with no console errors");
});

test("the daily chart draws candles", async () => {
  await page.waitForFunction(() => {
    for (const c of document.querySelectorAll("#chart canvas")) {
      const ctx = c.getContext("2d");
      if (!ctx || !c.width) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let candle = 0;
      for (let i = 0; i < d.length; i += 4) {
        const red = d[i] > 150 && d[i + 1] < 80 && d[i + 2] < 80;
        const blue = d[i] < 60 && d[i + 1] < 130 && d[i + 2] > 150;
        if (red || blue) candle++;
      }
      if (candle > 200) return true;
    }
    return false;
  }, null, { timeout: 15000 });
  // Won prices are whole: the axis says "71,000" as the rest of the page does, not "71000.00".
  const drawn = await page.evaluate(() => [...window.__drawnTexts]);
  const prices = drawn.filter((t) => /^[\d,.]+$/.test(t) && t.replace(/\D/g, "").length >= 4);
  assert.ok(prices.some((t) => /^\d{1,3}(,\d{3})+$/.test(t)), `the axis shows won with separators: ${prices.join(" ")}`);
  assert.deepEqual(prices.filter((t) => /\.\d/.test(t)), [], "no decimals on won prices");
});

/** Fills the order form and opens its confirmation. */
async function review({ side = "buy", symbol = "005930", type, quantity, price }) {
  await page.check(`#order-form [name=side][value=${side}]`);
  await page.fill("#order-form [name=symbol]", symbol);
  await page.selectOption("#order-form [name=type]", type);
  await page.fill("#order-form [name=quantity]", String(quantity));
  if (price) await page.fill("#order-form [name=price]", String(price));
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
}

async function order({ confirms, ...terms }) {
  const said = await page.textContent("#order-message");
  await review(terms);
  assert.match(await page.textContent("#confirm-env"), /MOCK/);
  if (confirms) assert.equal(await page.textContent("#confirm-text"), confirms);
  await page.click("#confirm-ok");
  await page.waitForFunction((said) => {
    const now = document.querySelector("#order-message")?.textContent ?? "";
    return /accepted/.test(now) && now !== said;
  }, said, { timeout: 15000 });
  return (await page.textContent("#order-message")).match(/Order (\d{10})/)[1];
}

test("today's orders say there are none before the first order, rather than showing an empty table", async () => {
  const empty = await page.waitForSelector("#order-rows tr.empty", { timeout: 15000 });
  assert.equal((await empty.textContent()).trim(), "No orders today.");
  assert.equal(await page.$$eval("#order-rows tr", (rows) => rows.length), 1);
  // The line spans the table, whatever its columns.
  const [cols, span] = await page.$eval("#order-rows tr.empty td", (td) => [td.closest("table").querySelectorAll("thead th").length, td.colSpan]);
  assert.equal(span, cols);
});

test("a limit order without a price is not reviewed: the form asks for the price, and nothing is sent", async () => {
  const before = stack.mock.orders("50012345").length;
  await page.check("#order-form [name=side][value=buy]");
  await page.selectOption("#order-form [name=type]", "limit");
  await page.fill("#order-form [name=price]", "");
  await page.click("#order-form button[type=submit]");
  assert.equal(await page.$("#confirm[open]"), null, "no confirmation of an order at 0 KRW");
  assert.equal(await page.$eval("#order-form [name=price]", (p) => p.validity.valueMissing), true);
  // A market order takes none: the empty price does not hold it back.
  await page.selectOption("#order-form [name=type]", "market");
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
  assert.match(await page.textContent("#confirm-text"), /at market/);
  await page.click("#confirm button[value=cancel]");
  await page.waitForFunction(() => document.querySelector("#order-message")?.textContent === "Order not sent.");
  assert.equal(stack.mock.orders("50012345").length, before, "nothing was sent");
});

test("an order KIS cannot take is refused by name before its confirmation, by the package's own rules", async () => {
  const before = stack.mock.orders("50012345").length;
  await page.selectOption("#order-form [name=type]", "limit");
  await page.fill("#order-form [name=symbol]", "abc");
  await page.fill("#order-form [name=quantity]", "1");
  await page.fill("#order-form [name=price]", "70000");
  await page.click("#order-form button[type=submit]");
  await page.waitForFunction(() => /^Order not sent\. Check order\.symbol: /.test(document.querySelector("#order-message")?.textContent ?? ""));
  assert.match(await page.textContent("#order-message"), /"ABC"/, "the symbol as it would have been sent");
  assert.equal(await page.$("#confirm[open]"), null, "no confirmation of an order that would only be refused");
  assert.equal(stack.mock.orders("50012345").length, before, "nothing was sent");
  await page.fill("#order-form [name=symbol]", "005930");
});

test("a limit buy goes through the confirmation, shows in today's orders and is cancelled", async () => {
  // The confirmation says what the order comes to, so that a slipped digit shows.
  const orderNo = await order({ type: "limit", quantity: 2, price: 60000, confirms: "BUY 005930 × 2 at 60,000 KRW (limit): 120,000 KRW" });
  const row = `#order-rows tr[data-order-no="${orderNo}"]`;
  await page.waitForSelector(`${row}[data-state="open"]`, { timeout: 15000 });
  assert.equal(await page.$("#order-rows tr.empty"), null, "the first order takes the place of the none line");
  await page.click(`${row} button[data-action=cancel]`);
  await page.waitForSelector(`${row}[data-state="cancelled"]`, { timeout: 15000 });
  assert.equal(stack.mock.orders("50012345").find((o) => o.odno === orderNo).cancelled, true);
  // KIS lists the cancel as an order of its own: shown as what it cancels, never as a fill.
  const change = await page.waitForSelector(`#order-rows tr[data-state="change"]:has-text("cancels ${orderNo}")`, { timeout: 15000 });
  assert.equal(await change.$("button"), null, "a cancel row offers no cancel");
});

test("an order whose side code KIS did not say as 01 or 02 is shown as such, never as a buy; one over and unfilled says so", async () => {
  // Today's orders, answered once with a row whose 매도매수구분 is neither code: it had read as a buy.
  // The second is over, neither filled nor cancelled (refused or expired at the exchange), which
  // kis-mock's own orders never are.
  const row = (odno, side, rmn) => ({
    ord_dt: "20261207", ord_tmd: "093000", odno, ord_gno_brno: "00950", orgn_odno: "", sll_buy_dvsn_cd: side,
    pdno: "005930", prdt_name: "삼성전자", ord_qty: "3", ord_unpr: "70000", tot_ccld_qty: "0", avg_prvs: "0",
    rmn_qty: rmn, cncl_yn: "N", excg_id_dvsn_Cd: "KRX",
  });
  stack.mock.addFault({
    path: "/inquire-daily-ccld", status: 200,
    body: { rt_cd: "0", msg_cd: "MCA00000", msg1: "정상", ctx_area_fk100: "", ctx_area_nk100: "", output1: [row("0000099901", "", "3"), row("0000099902", "01", "0")], output2: {} },
  });
  const said = await page.waitForSelector('#order-rows tr[data-order-no="0000099901"]', { timeout: 20000 });
  const cells = await said.$$eval("td", (tds) => tds.map((td) => td.textContent.trim()));
  assert.ok(cells.includes("? side not said"), cells.join(" | "));
  assert.ok(!cells.some((c) => /buy|sell/.test(c)), cells.join(" | "));
  assert.equal(await said.getAttribute("data-state"), "open");
  const over = await page.$('#order-rows tr[data-order-no="0000099902"]');
  const sold = await over.$$eval("td", (tds) => tds.map((td) => td.textContent.trim()));
  assert.ok(sold.includes("매도 sell"), sold.join(" | "));
  assert.equal(await over.getAttribute("data-state"), "unfilled");
  assert.equal(sold.at(-1), "not filled", sold.join(" | "));
  // The next refresh lists the mock's own orders again.
  await page.waitForSelector('#order-rows tr[data-order-no="0000099901"]', { state: "detached", timeout: 20000 });
});

test("an order confirmed while the one before still waits for KIS's answer is said to be another order", async () => {
  // KIS takes the order, and its answer takes 2.5 s to come.
  stack.mock.addFault({ path: "/order-cash", type: "slow", delayMs: 2500 });
  const placed = () => stack.mock.orders("50012345").filter((o) => o.price === 58600).length;
  await review({ type: "limit", quantity: 1, price: 58600 });
  assert.ok(await page.isHidden("#confirm-warning"), "nothing to warn of before the first");
  await page.click("#confirm-ok");
  await page.waitForFunction(() => document.querySelector("#order-message")?.textContent === "Sending…");
  // The same order again, the first one's answer not come yet.
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
  assert.equal(await page.textContent("#confirm-warning"), "Still waiting for KIS's answer to BUY 005930 × 1 at 58,600 KRW (limit): 58,600 KRW. This would be another order.");
  await page.click("#confirm button[value=cancel]");
  await page.waitForFunction(() => /still waiting/.test(document.querySelector("#order-message")?.textContent ?? ""));
  await page.waitForFunction(() => /accepted/.test(document.querySelector("#order-message")?.textContent ?? ""), null, { timeout: 15000 });
  assert.equal(placed(), 1, "one order, the first");
  // Answered, it is no longer waited for.
  await page.click("#order-form button[type=submit]");
  await page.waitForSelector("#confirm[open]");
  assert.ok(await page.isHidden("#confirm-warning"), "the answered order is not warned of");
  await page.click("#confirm button[value=cancel]");
});

test("an open limit order gets a new price: typed in its row (kept through a refresh), confirmed, sent as a modification", async () => {
  const orderNo = await order({ type: "limit", quantity: 2, price: 60000 });
  const row = `#order-rows tr[data-order-no="${orderNo}"]`;
  await page.waitForSelector(`${row}[data-state="open"]`, { timeout: 15000 });
  await page.click(`${row} button[data-action=modify]`);
  const price = `${row}[data-state="editing"] input[name=price]`;
  assert.equal(await page.inputValue(price), "60000", "starts from the order's price");
  await page.fill(price, "60100");
  // The next round of today's orders redraws the table: what was typed, and the focus, stay.
  const ccld = () => stack.mock.requests.filter((r) => r.path.endsWith("/inquire-daily-ccld")).length;
  const rounds = ccld();
  await waitFor(() => ccld() > rounds, 17000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await page.inputValue(price), "60100");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "price");

  // Declined at the confirmation: nothing sent, and the price still there to change.
  const sent = () => stack.mock.requests.filter((r) => r.path.endsWith("/order-rvsecncl")).length;
  const before = sent();
  await page.click(`${row} button[data-action=review]`);
  await page.waitForSelector("#confirm[open]");
  assert.equal(await page.getAttribute(row, "data-state"), "editing", "nothing says modifying before the confirmation");
  assert.match(await page.textContent("#confirm-text"), new RegExp(`MODIFY order ${orderNo} .*60,000.* to 60,100 KRW`));
  assert.equal(await page.textContent("#confirm-ok"), "Modify order");
  await page.click("#confirm button[value=cancel]");
  // The dialog's close event, and so the answer to the confirmation, comes a task after the click.
  await page.waitForFunction(() => document.querySelector("#order-message")?.textContent === "Modification not sent.", null, { timeout: 5000 });
  assert.equal(await page.inputValue(price), "60100");
  assert.equal(sent(), before);
  // × keeps the order as it is, at once.
  await page.click(`${row} button[data-action=keep]`);
  await page.waitForSelector(`${row}[data-state="open"] button[data-action=cancel]`);
  assert.equal(sent(), before);

  await page.click(`${row} button[data-action=modify]`);
  await page.fill(price, "60100");
  await page.click(`${row} button[data-action=review]`);
  await page.waitForSelector("#confirm[open]");
  await page.click("#confirm-ok");
  await page.waitForFunction(() => /modified to 60,100 KRW: now order \d{10}/.test(document.querySelector("#order-message")?.textContent ?? ""), null, { timeout: 15000 });
  const revised = (await page.textContent("#order-message")).match(/now order (\d{10})/)[1];
  assert.equal(sent() - before, 1);
  const booked = stack.mock.orders("50012345");
  assert.equal(booked.find((o) => o.odno === revised).orgOdno, orderNo);
  assert.equal(booked.find((o) => o.odno === revised).price, 60100);
  // The original is no longer open; the revised order is, at its new price, and can be changed again.
  await page.waitForSelector(`${row}:not([data-state="open"])`, { timeout: 15000 });
  const revisedRow = await page.waitForSelector(`#order-rows tr[data-order-no="${revised}"][data-state="open"]`, { timeout: 15000 });
  assert.match(await revisedRow.textContent(), /60,100/);
  assert.match(await revisedRow.textContent(), new RegExp(`changes ${orderNo}`), "it says which order it replaced");
  assert.ok(await revisedRow.$("button[data-action=modify]"));
  assert.equal(await page.$(`${row} button`), null, "the original offers nothing");
  // The order form's confirmation still names what it does.
  await order({ type: "limit", quantity: 1, price: 58700 });
  assert.equal(await page.textContent("#confirm-ok"), "Place order");
});

test("a market buy changes the balance", async () => {
  await page.waitForSelector('#holding-rows tr[data-symbol="005930"][data-quantity="10"]', { timeout: 15000 });
  const cashBefore = Number(await page.getAttribute("#summary", "data-cash"));
  // A market order's amount, at the last price the watchlist has.
  const orderNo = await order({ type: "market", quantity: 1, confirms: "BUY 005930 × 1 at market: about 71,000 KRW at the last price, 71,000 KRW" });
  await page.waitForSelector('#holding-rows tr[data-symbol="005930"][data-quantity="11"]', { timeout: 15000 });
  const cashAfter = Number(await page.getAttribute("#summary", "data-cash"));
  assert.equal(cashBefore - cashAfter, 71000);
  // Today's orders say what it was filled at, under the column that says so.
  const filled = await page.waitForSelector(`#order-rows tr[data-order-no="${orderNo}"][data-state="filled"]`, { timeout: 15000 });
  const cells = await filled.$$eval("td", (tds) => tds.map((td) => td.textContent));
  const heads = await page.$$eval("#order-rows", (b) => [...b[0].closest("table").querySelectorAll("thead th")].map((th) => th.textContent));
  assert.deepEqual([cells[heads.indexOf("Price")], cells[heads.indexOf("Filled")], cells[heads.indexOf("Avg")]], ["market", "1", "71,000"]);
  // Every column, P/L last, shows in the card without scrolling it.
  const card = await page.$eval(".card.balance", (c) => ({ right: c.getBoundingClientRect().right, overflows: c.scrollWidth > c.clientWidth }));
  const last = await page.$eval('#holding-rows tr[data-symbol="005930"] td:last-child', (td) => td.getBoundingClientRect().right);
  assert.ok(!card.overflows && last <= card.right, JSON.stringify({ card, last }));
  assert.equal(await page.textContent('#holding-rows tr[data-symbol="005930"] td small'), "삼성전자");
  // KIS's quote carries no name: the watchlist's come from its own list and from holdings.
  assert.equal(await page.textContent('#watch-rows tr[data-symbol="005930"] td:nth-child(2)'), "삼성전자");
});

test("sold out, the balance says there are no holdings rather than showing an empty table", async () => {
  const held = await page.$$eval("#holding-rows tr[data-symbol]", (rows) => rows.map((r) => [r.dataset.symbol, Number(r.dataset.quantity)]));
  assert.ok(held.length > 0);
  for (const [symbol, quantity] of held) await order({ side: "sell", symbol, type: "market", quantity });
  const empty = await page.waitForSelector("#holding-rows tr.empty", { timeout: 15000 });
  assert.equal((await empty.textContent()).trim(), "No holdings.");
  assert.equal(await page.$$eval("#holding-rows tr", (rows) => rows.length), 1);
  // Buying again brings the holding back in its place.
  await order({ type: "market", quantity: 1 });
  await page.waitForSelector('#holding-rows tr[data-symbol="005930"][data-quantity="1"]', { timeout: 15000 });
  assert.equal(await page.$("#holding-rows tr.empty"), null);
});

test("a lost order answer beside another script's identical order: orderStatusUnknown naming both, orders shown at once", async () => {
  // Another script on the same account places the same limit order a moment before ours.
  const other = new KisClient({ appKey: "PSe2eOtherScriptKey0123456789abcdef", appSecret: APP_SECRET, account: "50012345-01", env: "mock", baseUrl: stack.mock.url, logger: null });
  const theirs = await other.buy({ symbol: "005930", quantity: 3, price: 59000 });
  other.free();
  // Ours is booked, but its answer is lost (the proxy answers 502).
  stack.mock.addFault({ path: "/order-cash", type: "executeThenReset" });
  const sent = Date.now();
  await review({ type: "limit", quantity: 3, price: 59000 });
  await page.click("#confirm-ok");
  await page.waitForSelector('#error[data-kind="orderStatusUnknown"]:not([hidden])', { timeout: 20000 });
  const ours = stack.mock.orders("50012345").find((o) => o.symbol === "005930" && o.odno !== theirs.orderNo && o.price === 59000 && o.qty === 3);
  assert.ok(ours, "ours was booked");
  const message = await page.textContent("#error");
  assert.match(message, /^The order may have reached KIS \(.*; check today's orders before placing it again\.$/);
  assert.equal(message.split("check today's orders").length, 2, message);
  assert.ok(message.includes(theirs.orderNo) && message.includes(ours.odno), message);
  assert.match(await page.textContent("#order-message"), /failed/);
  assert.equal(stack.mock.orders("50012345").filter((o) => o.price === 59000).length, 2, "not resent");
  // Both show in today's orders well before the next 15-second round.
  for (const no of [theirs.orderNo, ours.odno]) await page.waitForSelector(`#order-rows tr[data-order-no="${no}"]`, { timeout: 5000 });
  assert.ok(Date.now() - sent < 14000);
  // The warning outlives the quotes that come back fine after it, until clicked away.
  const shown = Date.now();
  await quoteSince(shown + 100);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(await page.isVisible('#error[data-kind="orderStatusUnknown"]'), "still shown after a quote round");
  await page.click("#error");
  assert.ok(await page.isHidden("#error"));
  // The form still says what became of the order once the message is gone.
  const kept = await page.textContent("#order-message");
  assert.match(kept, /^Order failed \(orderStatusUnknown\) at \d\d:\d\d:\d\d KST: The order may have reached KIS/);
  assert.ok(kept.includes(theirs.orderNo) && kept.includes(ours.odno), kept);
  // The same order again: its confirmation says the last one may have been booked.
  await review({ type: "limit", quantity: 3, price: 59000 });
  assert.match(await page.textContent("#confirm-warning"), /^The same order sent at \d\d:\d\d:\d\d KST may have reached KIS \(its answer was lost\): check today's orders before placing it again\.$/);
  await page.click("#confirm button[value=cancel]");
  // Other terms: nothing to warn of.
  await review({ type: "limit", quantity: 3, price: 59100 });
  assert.ok(await page.isHidden("#confirm-warning"), "another order's terms are not warned of");
  await page.click("#confirm button[value=cancel]");
  assert.equal(stack.mock.orders("50012345").filter((o) => o.price === 59000).length, 2, "nothing sent");
});

test("a lost cancel answer that today's orders do not show yet: the warning speaks of the cancel, not of placing an order", async () => {
  const orderNo = await order({ type: "limit", quantity: 1, price: 58800 });
  const row = `#order-rows tr[data-order-no="${orderNo}"]`;
  await page.waitForSelector(`${row}[data-state="open"]`, { timeout: 15000 });
  // KIS takes the cancel, its answer is lost and its list shows it only a minute later.
  stack.mock.addFault({ path: "/order-rvsecncl", type: "executeUnlisted", delayMs: 60_000 });
  const sent = () => stack.mock.requests.filter((r) => r.path.endsWith("/order-rvsecncl")).length;
  const before = sent();
  await page.click(`${row} button[data-action=cancel]`);
  await page.waitForSelector('#error[data-kind="orderStatusUnknown"]:not([hidden])', { timeout: 20000 });
  const message = await page.textContent("#error");
  // The client's own words, once: what it was, what the lookup saw, and what to check.
  assert.match(message, /^The cancel may have reached KIS \(.*\) and it is not among today's orders yet, .*; check today's orders before cancelling again\.$/);
  assert.equal(message.split("check today's orders").length, 2, message);
  assert.doesNotMatch(message, /placing/);
  assert.equal(sent() - before, 1, "not resent");
  await page.click("#error");
  // The form still says what became of the cancel once the message is gone.
  const kept = await page.textContent("#order-message");
  assert.match(kept, new RegExp(`^Cancel of ${orderNo} failed \\(orderStatusUnknown\\) at \\d\\d:\\d\\d:\\d\\d KST: The cancel may have reached KIS`));
});

test("an EGW00201 burst shows the waiting state, then recovers", async () => {
  stack.mock.addFault({ path: "/inquire-price", type: "egw00201", times: 3 });
  stack.mock.setPrice("005930", 72000);
  await page.waitForSelector("#waiting:not([hidden])", { timeout: 15000 });
  await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-price="72000"]', { timeout: 20000 });
  await page.waitForSelector("#waiting[hidden]", { state: "attached", timeout: 15000 });
  assert.ok(await page.isHidden("#error") || !/EGW00201/.test(await page.textContent("#error")));
});

test("the request log shows entries and no secret; nothing is stored by default", async () => {
  const rows = await page.$$eval("#log-rows tr", (trs) => trs.length);
  assert.ok(rows > 10, `${rows} log rows`);
  const logText = await page.textContent("[data-testid=request-log]");
  assert.match(logText, /FHKST01010100/);
  assert.match(logText, /VTTC0012U/);
  // One clock on the page: the log's times are Korea's, as KIS's order times are, whatever the
  // machine's zone (UTC here, nine hours behind).
  const newest = await page.textContent("#log-rows tr:first-child td:first-child");
  const kstNow = (Date.now() + 9 * 3600e3) % 86400e3;
  const [h, m, sec] = newest.split(":").map(Number);
  const drift = Math.abs(((h * 3600 + m * 60 + sec) * 1000 - kstNow + 43200e3 + 86400e3) % 86400e3 - 43200e3);
  assert.ok(drift < 120e3, `${newest} is not Korea's time now`);
  const visible = await page.evaluate(() => document.body.innerText);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  for (const text of [logText, visible, storage, stack.mock.requests.map((r) => JSON.stringify(r)).join("")]) {
    assert.ok(!text.includes(APP_KEY) && !text.includes(APP_SECRET) && !text.includes("mock-token-"));
  }
});

test("the watchlist takes the user's own symbols, refuses a malformed one by name, and keeps the list in localStorage", async () => {
  const saved = () => page.evaluate(() => JSON.parse(localStorage.getItem("kis-dashboard-watchlist") ?? "null"));
  await page.fill("#watch-add [name=symbol]", "12345");
  await page.click("#watch-add button");
  assert.match(await page.textContent("#watch-message"), /"12345" is not a KRX code/);
  assert.equal(await saved(), null, "nothing kept before the list is edited");
  await page.fill("#watch-add [name=symbol]", " 0091c0 ");
  await page.click("#watch-add button");
  assert.ok(await page.isHidden("#watch-message"));
  // Its quote comes with the next round, and it is the chart's symbol now.
  await page.waitForSelector('#watch-rows tr[data-symbol="0091C0"][data-price="12000"].selected', { timeout: 15000 });
  await page.waitForFunction(() => /0091C0/.test(document.querySelector("#chart-symbol")?.textContent ?? ""), null, { timeout: 15000 });
  assert.deepEqual((await saved()).slice(-1), ["0091C0"]);
  await page.click('#watch-rows tr[data-symbol="0091C0"] button.remove');
  assert.equal(await page.$('#watch-rows tr[data-symbol="0091C0"]'), null);
  assert.ok(!(await saved()).includes("0091C0"));
  // The chart moves to the first symbol rather than showing one no longer listed.
  await page.waitForFunction(() => /005930/.test(document.querySelector("#chart-symbol")?.textContent ?? ""), null, { timeout: 15000 });
});

test("on a wide screen the chart fills its card, as tall as the orderbook beside it", async () => {
  const box = await page.evaluate(() => {
    const rect = (q) => document.querySelector(q).getBoundingClientRect();
    const canvases = [...document.querySelectorAll("#chart canvas")].map((c) => c.getBoundingClientRect().bottom);
    return { card: rect(".card.chart"), book: rect(".card.book"), chart: rect("#chart"), drawn: Math.max(...canvases) };
  });
  assert.equal(Math.round(box.card.top), Math.round(box.book.top), "side by side");
  assert.ok(box.chart.height > 400, `chart ${box.chart.height} px high in a card of ${box.card.height}`);
  assert.ok(box.card.bottom - box.chart.bottom < 30, `chart ends ${box.card.bottom - box.chart.bottom} px above its card's end`);
  assert.ok(Math.abs(box.drawn - box.chart.bottom) < 2, `drawn to ${box.drawn}, chart ends at ${box.chart.bottom}`);
});

test("the only console errors are Chromium's notes on the injected 502 and 500s; a screenshot is saved", async () => {
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, "dashboard.png"), fullPage: true });
  assert.deepEqual(consoleErrors, [
    // The lost order answer, as the proxy reports it.
    "Failed to load resource: the server responded with a status of 502 (Bad Gateway)",
    // The lost cancel answer (a 500 without KIS's envelope), then the EGW00201 burst's three.
    ...Array(4).fill("Failed to load resource: the server responded with a status of 500 (Internal Server Error)"),
  ]);
});

const tokenRequests = () => stack.mock.requests.filter((r) => r.path === "/oauth2/tokenP").length;

/** Waits until `done()`, for at most `ms`. */
async function waitFor(done, ms) {
  const deadline = Date.now() + ms;
  while (!done()) {
    assert.ok(Date.now() < deadline, `not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the mock has answered a quote asked for after `t` (ms since the epoch). */
async function quoteSince(t) {
  const deadline = t + 15000;
  while (!stack.mock.requests.some((r) => r.path.endsWith("/inquire-price") && r.status === 200 && r.at > t)) {
    assert.ok(Date.now() < deadline, "no quote since the click");
    await new Promise((r) => setTimeout(r, 100));
  }
}

// After the screenshot and the console check, which it would make depend on timing.
test("a reconnect within the minute reuses the page's token: no EGW00133, and quotes go on", async () => {
  const before = tokenRequests();
  const errorsBefore = consoleErrors.length;
  const clicked = Date.now();
  await page.click("#settings button[type=submit]");
  await quoteSince(clicked);
  await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-price]');
  assert.equal(tokenRequests(), before, "the new client asked KIS for no token");
  assert.ok((await page.isHidden("#error")) || (await page.getAttribute("#error", "data-kind")) !== "rateLimited", await page.textContent("#error"));
  // The old client's last calls and the new one's first share no window, so KIS's per-second
  // limit may turn one away (EGW00201, HTTP 500), which the client waits out and retries.
  const after = consoleErrors.slice(errorsBefore);
  assert.ok(after.every((m) => /status of 500/.test(m)), after.join("\n"));
});

test("with 'remember in this tab', a reload reuses the token as well; unticked, the tab keeps nothing", async () => {
  const before = tokenRequests();
  await page.check("#settings [name=remember]");
  await page.click("#settings button[type=submit]");
  await quoteSince(Date.now());
  await page.reload();
  await page.waitForFunction((key) => document.querySelector("#settings [name=appKey]")?.value === key, APP_KEY, { timeout: 5000 });
  const reconnected = Date.now();
  await page.click("#settings button[type=submit]");
  await quoteSince(reconnected);
  assert.equal(tokenRequests(), before, "no token asked for after the reload");
  assert.ok((await page.isHidden("#error")) || (await page.getAttribute("#error", "data-kind")) !== "rateLimited", await page.textContent("#error"));
  await page.uncheck("#settings [name=remember]");
  await page.click("#settings button[type=submit]");
  const kept = await page.evaluate(() => Object.keys(sessionStorage));
  assert.deepEqual(kept, [], "unticked, nothing stays in the tab");
});

test("the page's content security policy: a script put into it does not run, and another site cannot frame it", async () => {
  const p = await context.newPage();
  const violations = [];
  p.on("console", (m) => { if (m.type() === "error") violations.push(m.text()); });
  try {
    const res = await p.goto(stack.url);
    assert.match(res.headers()["content-security-policy"] ?? "", /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    // The import map, allowed by its hash, worked: the package loaded and the page is whole.
    await p.waitForSelector("#settings button[type=submit]");
    await p.waitForFunction(() => document.querySelector("#settings [name=proxyUrl]")?.value, null, { timeout: 10000 });
    const ran = await p.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__injected = true";
      document.head.append(s);
      return window.__injected === true;
    });
    assert.equal(ran, false, "an inline script added to the page ran");
    assert.ok(violations.some((v) => /Content Security Policy/.test(v)), violations.join("\n"));

    // A page of another origin (the mock's) framing the dashboard gets nothing of it.
    await p.goto(`${stack.mock.url}/not-a-page`);
    await p.evaluate((url) => new Promise((resolve) => {
      const f = document.createElement("iframe");
      f.src = url;
      f.onload = resolve;
      document.body.append(f);
      setTimeout(resolve, 3000);
    }), stack.url);
    const framed = p.frames().find((f) => f !== p.mainFrame());
    const inside = await framed.evaluate(() => document.querySelector("#settings") !== null).catch(() => false);
    assert.equal(inside, false, "the dashboard loaded inside another site's frame");
  } finally {
    await p.close();
  }
});

test("Disconnect has KIS revoke the page's token, then the page asks KIS nothing more, with no error shown", async () => {
  await page.waitForSelector("#disconnect:not([hidden])");
  const revokes = stack.mock.counts.revokeP;
  const errorsBefore = consoleErrors.length;
  const from = stack.mock.requests.length;
  // A chart's load still waiting for its turn in the rate limit when Disconnect is clicked ends
  // before the token goes: sent after it, it would be refused and have a new token asked for.
  await page.click('#periods button[data-period="W"]');
  await page.click("#disconnect");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "disconnected · token revoked by KIS", null, { timeout: 10000 });
  assert.equal(stack.mock.counts.revokeP, revokes + 1);
  const order = stack.mock.requests.slice(from).map((r) => r.path);
  const weekly = stack.mock.requests.slice(from).findIndex((r) => r.path.endsWith("/inquire-daily-price") && r.query.FID_PERIOD_DIV_CODE === "W");
  assert.ok(weekly >= 0 && weekly < order.indexOf("/oauth2/revokeP"), order.join("\n"));
  assert.equal(await page.isHidden("#disconnect"), true);
  // A round in flight ends at its next turn: the freed client is asked nothing, which would
  // throw, and no token is asked for in place of the revoked one.
  const asked = stack.mock.requests.length;
  const tokens = tokenRequests();
  await new Promise((r) => setTimeout(r, 4000));
  assert.deepEqual(stack.mock.requests.slice(asked).map((r) => r.path), [], "nothing asked of KIS after the disconnect");
  assert.equal(tokenRequests(), tokens);
  assert.ok(await page.isHidden("#error"), await page.textContent("#error"));
  assert.deepEqual(consoleErrors.slice(errorsBefore), []);
});

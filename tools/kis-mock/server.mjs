// A mock KIS OpenAPI server for the demo and the tests: faithful enough that a client passing
// against it passes against KIS (headers, TR IDs per environment, token rules, per-second limit,
// paging, error shapes), with a simulated account and a control API to script faults.
// Node only, no dependencies.
import http from "node:http";
import crypto from "node:crypto";
import { info, kst, dailyBars, minuteBars, tick, bookQty, change, rate } from "./market.mjs";
import { TR_IDS } from "./tr-ids.mjs";
import { answer as catalogued } from "./catalogue.mjs";
import { createBooks } from "./books.mjs";
import { attachRealtime } from "./realtime.mjs";

/** The APIs with hand-made account logic (orders, fills, paging); every other catalogued API is
 *  answered from its layout (catalogue.mjs). */
const HANDLED = {
  "/uapi/domestic-stock/v1/quotations/inquire-price": "inquire-price",
  "/uapi/domestic-stock/v1/quotations/inquire-daily-price": "inquire-daily-price",
  "/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn": "inquire-asking-price-exp-ccn",
  "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice": "inquire-time-itemchartprice",
  "/uapi/domestic-stock/v1/trading/order-cash": "order-cash",
  "/uapi/domestic-stock/v1/trading/order-rvsecncl": "order-rvsecncl",
  "/uapi/domestic-stock/v1/trading/inquire-balance": "inquire-balance",
  "/uapi/domestic-stock/v1/trading/inquire-psbl-order": "inquire-psbl-order",
  "/uapi/domestic-stock/v1/trading/inquire-daily-ccld": "inquire-daily-ccld",
};
import { listen } from "../listen.mjs";
import { onlyKnown } from "../options.mjs";

const SIX_HOURS = 6 * 3600e3;
/** IOC and FOK limit orders (ORD_DVSN 11, 12), which KIS's real environment takes. */
const IMMEDIATE = ["11", "12"];
const ORDER_TYPE_NAMES = { "00": "지정가", "01": "시장가", "11": "IOC지정가", "12": "FOK지정가" };
const SECRET_HEADERS = ["appkey", "appsecret", "authorization", "personalseckey"];

const kisError = (msg_cd, msg1) => ({ rt_cd: "1", msg_cd, msg1 });
/** The exchange a domestic order or change names (EXCG_ID_DVSN_CD): KRX when none, as KIS takes it. */
const exchangeOf = (b) => b.EXCG_ID_DVSN_CD || "KRX";
const MOCK_KRX_ONLY = Object.freeze(kisError("APBK1744", "모의투자는 KRX만 가능합니다"));
const OFF_TICK = Object.freeze(kisError("APBK0509", "호가단위가 맞지 않습니다"));
/** Whether a limit price of `symbol` is off KRX's step for it (an order's, or a modification's). */
const offTick = (limit, symbol) => limit % tick(limit, symbol) !== 0;

/** `text` as a JSON object; null for anything else ("null", an array, a number, not JSON), which
 *  every endpoint refuses as KIS does rather than reading fields of. */
function jsonObject(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * @param {object} o
 * @param {number} [o.port] 0 = any free port
 * @param {"real"|"mock"} [o.env]
 * @param {number} [o.rateLimit] /uapi calls per second per app key (default 18 real, 1 mock; 0 = off)
 * @param {number} [o.tokenTtlSec] token lifetime (default 86400)
 * @param {number} [o.tokenIssueIntervalSec] minimum gap between issuances per app key (default 60)
 * @param {"off"|"check"|"require"} [o.hashkey] check = a POST's hashkey must match its body
 * @param {number} [o.pageSize] rows per balance / orders page (default 50/100 real, 20/15 mock)
 * @param {number} [o.cash] starting cash per account
 * @param {() => number} [o.now]
 */
export async function startMockKis(o = {}) {
  onlyKnown("startMockKis", o, ["port", "host", "env", "rateLimit", "tokenTtlSec", "tokenIssueIntervalSec", "hashkey", "pageSize", "cash", "now", "tickMs", "pingMs"]);
  const env = o.env ?? "mock";
  const opts = {
    env,
    rateLimit: o.rateLimit ?? (env === "real" ? 18 : 1),
    tokenTtlMs: (o.tokenTtlSec ?? 86400) * 1000,
    issueIntervalMs: (o.tokenIssueIntervalSec ?? 60) * 1000,
    hashkey: o.hashkey ?? "check",
    balancePage: o.pageSize ?? (env === "real" ? 50 : 20),
    ordersPage: o.pageSize ?? (env === "real" ? 100 : 15),
    cash: o.cash ?? 10_000_000,
  };
  const now = o.now ?? Date.now;
  const state = {
    tokens: new Map(), // token → { appkey, expiresAt }
    issuers: new Map(), // appkey → { token, issuedAt, lastCallAt }
    windows: new Map(), // appkey → admission times in the last second
    accounts: new Map(), // "CANO-PRDT" → { cash, holdings: Map, orders: [] }
    prices: new Map(),
    continuation: new Map(), // issued ctx keys → page
    counts: { tokenP: 0, revokeP: 0, egw00201: 0, hashkey: 0, approval: 0 },
    approvals: new Map(), // issued realtime approval keys → the app key each is of
    nextOrderNo: 1,
  };
  const faults = [];
  const requests = [];
  const books = createBooks({ handMade: new Set(Object.keys(HANDLED)), now });
  /** The realtime socket (realtime.mjs), once listening. */
  let realtime = null;

  const price = (symbol) => state.prices.get(symbol) ?? info(symbol).price;
  /** The day so far of `symbol` at market price `p`, as KIS's quote and book give it: today's
   *  bar, its open, its high and low with `p` in them, and yesterday's close (기준가). Two daily
   *  bars, not the chart's 30: a quote is the mock's busiest answer, and the benchmarks' raw
   *  fetches pay for it too. */
  const day = (symbol, p = price(symbol)) => {
    const [today, yesterday] = dailyBars(symbol, p, "D", now(), 2);
    return {
      today,
      open: today.stck_oprc,
      high: String(Math.max(Number(today.stck_hgpr), p)),
      low: String(Math.min(Number(today.stck_lwpr), p)),
      prevClose: Number(yesterday.stck_clpr),
    };
  };
  /** What of an order is still open: neither filled, cancelled nor rejected by the exchange. */
  const openQty = (x) => x.qty - x.filled - (x.cancelledQty ?? 0) - (x.rejectedQty ?? 0);
  /** A sale's shares held back for it, given back for `qty` of it that ends unfilled (cancelled,
   *  expired or refused by the exchange). */
  const release = (acct, order, qty) => {
    const h = order.side === "sell" && acct.holdings.get(order.symbol);
    if (h) h.reserved = Math.max(0, (h.reserved ?? 0) - qty);
  };
  /** Cash not held back for open limit buys: what KIS lets you order with. A buy that is over
   *  (filled, cancelled, refused), or a cancel's own row, holds nothing back: its openQty is 0. */
  const orderable = (acct) => acct.cash - acct.orders
    .filter((x) => x.side === "buy")
    .reduce((a, x) => a + x.price * openQty(x), 0);

  function account(cano, prdt) {
    const key = `${cano}-${prdt}`;
    if (!state.accounts.has(key)) {
      state.accounts.set(key, {
        cash: opts.cash,
        holdings: new Map([
          ["005930", { qty: 10, avg: 68500 }],
          ["360750", { qty: 25, avg: 17800 }],
        ]),
        orders: [],
        changes: [], // cancels, listed beside the orders they cancel
      });
    }
    return state.accounts.get(key);
  }

  // ---- the KIS endpoints -------------------------------------------------------------------

  function tokenP(body) {
    const req = jsonObject(body || "{}");
    if (!req) return [400, { error_code: "EGW00002", error_description: "잘못된 요청입니다." }];
    if (req.grant_type !== "client_credentials" || !req.appkey) {
      return [403, { error_code: "EGW00103", error_description: "유효하지 않은 AppKey입니다." }];
    }
    if (!req.appsecret) return [403, { error_code: "EGW00105", error_description: "유효하지 않은 AppSecret입니다." }];
    const t = now();
    const prev = state.issuers.get(req.appkey);
    if (prev && t - prev.lastCallAt < opts.issueIntervalMs) {
      return [403, { error_code: "EGW00133", error_description: "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)" }];
    }
    state.counts.tokenP += 1;
    let token = prev?.token;
    const live = token && state.tokens.get(token)?.expiresAt > t && t - prev.issuedAt < SIX_HOURS;
    if (!live) {
      token = `mock-token-${crypto.randomBytes(24).toString("base64url")}`;
      state.tokens.set(token, { appkey: req.appkey, expiresAt: t + opts.tokenTtlMs });
      state.issuers.set(req.appkey, { token, issuedAt: t, lastCallAt: t });
    } else {
      prev.lastCallAt = t;
    }
    const expiresAt = state.tokens.get(token).expiresAt;
    const { date, time } = kst(expiresAt);
    return [200, {
      access_token: token, token_type: "Bearer", expires_in: Math.round((expiresAt - t) / 1000),
      access_token_token_expired: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)} ${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}`,
    }];
  }

  /** KIS's /oauth2/revokeP: the token is forgotten, and the next tokenP issues a new one. What
   *  KIS answers for a token it does not know is not documented: the mock says what it says of
   *  one sent to /uapi (EGW00121), in tokenP's error shape. */
  function revokeP(body) {
    const req = jsonObject(body || "{}");
    if (!req) return [400, { error_code: "EGW00002", error_description: "잘못된 요청입니다." }];
    if (!req.appkey) return [403, { error_code: "EGW00103", error_description: "유효하지 않은 AppKey입니다." }];
    if (!req.appsecret) return [403, { error_code: "EGW00105", error_description: "유효하지 않은 AppSecret입니다." }];
    const tok = state.tokens.get(req.token);
    if (!tok || tok.appkey !== req.appkey) return [403, { error_code: "EGW00121", error_description: "유효하지 않은 token 입니다." }];
    state.tokens.delete(req.token);
    state.counts.revokeP += 1;
    return [200, { code: 200, message: "접근토큰 폐기에 성공하였습니다" }];
  }

  /** The per-second limit, sliding, per app key. */
  function overLimit(appkey) {
    if (!opts.rateLimit) return false;
    const t = now();
    const w = (state.windows.get(appkey) ?? []).filter((x) => t - x < 1000);
    state.windows.set(appkey, w);
    if (w.length >= opts.rateLimit) return true;
    w.push(t);
    return false;
  }

  const hashOf = (body) => crypto.createHash("sha256").update(body).digest("hex");

  function uapi(method, path, query, headers, body) {
    const appkey = headers.appkey;
    if (path === "/uapi/hashkey") {
      if (!appkey || !headers.appsecret) return [403, kisError("EGW00103", "유효하지 않은 AppKey입니다.")];
      if (overLimit(appkey)) return busy();
      state.counts.hashkey += 1;
      let parsed;
      try {
        parsed = JSON.parse(body);
      } catch {
        return [400, kisError("EGW00002", "잘못된 요청입니다.")];
      }
      return [200, { BODY: parsed, HASH: hashOf(body) }];
    }
    if (!headers.custtype) return [500, kisError("OPSQ0001", "custtype 헤더가 필요합니다 (P/B)")];
    const bearer = (headers.authorization ?? "").replace(/^Bearer /, "");
    const tok = state.tokens.get(bearer);
    if (!tok || tok.appkey !== appkey || !headers.appsecret) return [500, kisError("EGW00121", "유효하지 않은 token 입니다.")];
    if (tok.expiresAt <= now()) return [500, kisError("EGW00123", "기간이 만료된 token 입니다.")];
    if (overLimit(appkey)) return busy();
    const endpoint = HANDLED[path];
    const trs = TR_IDS[endpoint];
    const trId = headers.tr_id ?? "";
    const side = trs?.[env][trId];
    if (trs && (!side || trs.method !== method)) return [500, kisError("OPSQ0002", "없는 서비스 코드 입니다")];
    if (method === "POST" && opts.hashkey !== "off") {
      if (headers.hashkey ? headers.hashkey !== hashOf(body) : opts.hashkey === "require") {
        return [500, kisError("OPSQ0007", "hashkey가 요청 본문과 일치하지 않습니다")];
      }
    }
    let input = query;
    if (method === "POST") {
      input = jsonObject(body);
      if (!input) return [500, kisError("OPSQ0003", "요청 본문이 JSON이 아닙니다")];
    }
    if (!trs) {
      const answered = catalogued(path, method, env, trId, input, now());
      if (!answered) return [404, "<html><body>404 Not Found</body></html>"];
      const [status, body] = answered;
      if (status !== 200) return answered;
      return [status, method === "POST" ? books.order(path, trId, input, body) : books.list(path, trId, input, body)];
    }
    return ENDPOINTS[endpoint](input, side, headers);
  }

  function busy() {
    state.counts.egw00201 += 1;
    return [500, kisError("EGW00201", "초당 거래건수를 초과하였습니다.")];
  }

  const ok = (msg_cd, msg1, extra) => [200, { rt_cd: "0", msg_cd, msg1, ...extra }];
  const need = (q, keys) => keys.find((k) => typeof q[k] !== "string");

  /** Paging: continuation keys are issued here and must come back byte for byte. */
  function paged(rows, size, q, headers, fkBase) {
    let page = 0;
    if (headers.tr_cont === "N") {
      page = state.continuation.get(`${q.CTX_AREA_FK100}|${q.CTX_AREA_NK100}`);
      if (page === undefined) return { error: [500, kisError("OPSQ0004", "연속조회 키가 올바르지 않습니다")] };
    }
    const slice = rows.slice(page * size, (page + 1) * size);
    const more = (page + 1) * size < rows.length;
    const fk = (fkBase + "^").padEnd(100, " ");
    const nk = `${page + 1}`.padEnd(100, " ");
    if (more) state.continuation.set(`${fk}|${nk}`, page + 1);
    return { slice, trCont: more ? "M" : "D", ctx: { ctx_area_fk100: fk, ctx_area_nk100: more ? nk : "".padEnd(100, " ") } };
  }

  function holdingRow(symbol, h) {
    const p = price(symbol);
    const evlu = p * h.qty;
    const pchs = Math.round(h.avg * h.qty);
    const rt = pchs ? ((100 * (evlu - pchs)) / pchs).toFixed(2) : "0.00";
    // KIS's 26 fields, in its order.
    return {
      pdno: symbol, prdt_name: info(symbol).name, trad_dvsn_name: "현금", bfdy_buy_qty: "0", bfdy_sll_qty: "0",
      thdt_buyqty: "0", thdt_sll_qty: "0", hldg_qty: String(h.qty), ord_psbl_qty: String(h.qty - (h.reserved ?? 0)),
      pchs_avg_pric: h.avg.toFixed(4), pchs_amt: String(pchs), prpr: String(p), evlu_amt: String(evlu),
      evlu_pfls_amt: String(evlu - pchs), evlu_pfls_rt: rt, evlu_erng_rt: "0.00000000", loan_dt: "", loan_amt: "0",
      stln_slng_chgs: "0", expd_dt: "", fltt_rt: "0.00000000", bfdy_cprs_icdc: "0", item_mgna_rt_name: "20%",
      grta_rt_name: "", sbst_pric: String(Math.round(p * 0.7)), stck_loan_unpr: "0.0000",
    };
  }

  /** The realtime socket's approval key: `secretkey`, where tokenP takes `appsecret`. */
  function approval(body) {
    const b = jsonObject(body);
    if (!b) return [400, { error_code: "EGW00002", error_description: "잘못된 요청입니다." }];
    if (!b.appkey || !b.secretkey || b.grant_type !== "client_credentials") return [403, { error_code: "EGW00103", error_description: "유효하지 않은 AppKey입니다." }];
    state.counts.approval += 1;
    const key = crypto.randomUUID();
    state.approvals.set(key, b.appkey);
    return [200, { approval_key: key }];
  }

  function fill(acct, order, at) {
    realtime?.notifyFill(order, at);
    const cost = at * order.qty;
    const h = acct.holdings.get(order.symbol) ?? { qty: 0, avg: 0 };
    if (order.side === "buy") {
      acct.cash -= cost;
      h.avg = (h.avg * h.qty + cost) / (h.qty + order.qty);
      h.qty += order.qty;
    } else {
      acct.cash += cost;
      h.qty -= order.qty;
      h.reserved = Math.max(0, (h.reserved ?? 0) - order.qty);
    }
    // A stock sold out stays in KIS's balance for the rest of the day, with 보유수량 0.
    if (h.qty === 0) h.soldOutOn = kst(now()).date;
    else delete h.soldOutOn;
    acct.holdings.set(order.symbol, h);
    order.filled = order.qty;
    order.avgFill = at;
  }

  const ENDPOINTS = {
    "inquire-time-itemchartprice"(q) {
      const missing = need(q, ["FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD", "FID_INPUT_HOUR_1", "FID_PW_DATA_INCU_YN", "FID_ETC_CLS_CODE"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      if (!/^([0-9A-Z]{6}|Q[0-9]{6})$/.test(q.FID_INPUT_ISCD)) return [200, kisError("OPSQ0005", "조회할 자료가 없습니다")];
      if (!/^\d{6}$/.test(q.FID_INPUT_HOUR_1)) return [200, kisError("OPSQ0005", "입력시간을 확인하세요")];
      const s = q.FID_INPUT_ISCD;
      const p = price(s);
      const rows = minuteBars(s, p, q.FID_INPUT_HOUR_1, kst(now()).date);
      // The day's summary, as the quote has it: against yesterday's close, the day's volume.
      const { today, prevClose: prev } = day(s, p);
      const summary = {
        ...change(p, prev), stck_prdy_clpr: String(prev), acml_vol: today.acml_vol,
        acml_tr_pbmn: String(Number(today.acml_vol) * p), hts_kor_isnm: info(s).name, stck_prpr: String(p),
      };
      return ok("MCA00000", "정상처리 되었습니다.", { output1: summary, output2: rows });
    },
    /** Ten levels a side around the market price, on its tick; quantities deterministic. */
    "inquire-asking-price-exp-ccn"(q) {
      if (!/^([0-9A-Z]{6}|Q[0-9]{6})$/.test(q.FID_INPUT_ISCD ?? "")) return [200, kisError("OPSQ0005", "조회할 자료가 없습니다")];
      const s = q.FID_INPUT_ISCD;
      const p = price(s);
      const step = tick(p, s);
      const book = { aspr_acpt_hour: kst(now()).time };
      const qty = (side, i) => String(bookQty(s, side, i));
      for (let i = 1; i <= 10; i++) {
        book[`askp${i}`] = String(p + i * step);
        book[`bidp${i}`] = String(p - (i - 1) * step);
      }
      for (let i = 1; i <= 10; i++) {
        book[`askp_rsqn${i}`] = qty("a", i);
        book[`bidp_rsqn${i}`] = qty("b", i);
      }
      for (let i = 1; i <= 10; i++) {
        book[`askp_rsqn_icdc${i}`] = "0";
        book[`bidp_rsqn_icdc${i}`] = "0";
      }
      const sum = (side) => String(Array.from({ length: 10 }, (_, i) => Number(qty(side, i + 1))).reduce((a, b) => a + b, 0));
      Object.assign(book, {
        total_askp_rsqn: sum("a"), total_bidp_rsqn: sum("b"), total_askp_rsqn_icdc: "0", total_bidp_rsqn_icdc: "0",
        ovtm_total_askp_icdc: "0", ovtm_total_bidp_icdc: "0", ovtm_total_askp_rsqn: "0", ovtm_total_bidp_rsqn: "0", ntby_aspr_rsqn: "0",
      });
      // The day's prices as the quote gives them; 기준가 (stck_sdpr) is yesterday's close, which
      // a book's prices are coloured against.
      const { open, high, low, prevClose } = day(s, p);
      const expected = {
        antc_mkop_cls_code: "", stck_prpr: String(p), stck_oprc: open, stck_hgpr: high, stck_lwpr: low,
        stck_sdpr: String(prevClose), antc_cnpr: "0", antc_cntg_vrss_sign: "3", antc_cntg_vrss: "0", antc_cntg_prdy_ctrt: "0.00", antc_vol: "0",
        stck_shrn_iscd: s, vi_cls_code: "N",
      };
      return ok("MCA00000", "정상처리 되었습니다.", { output1: book, output2: expected });
    },
    "inquire-price"(q) {
      if (!/^([0-9A-Z]{6}|Q[0-9]{6})$/.test(q.FID_INPUT_ISCD ?? "")) return [200, kisError("OPSQ0005", "조회할 자료가 없습니다")];
      const s = q.FID_INPUT_ISCD;
      const p = price(s);
      const { today, open, high, low, prevClose: prev } = day(s, p);
      // Prices derived from yesterday's close, on its tick.
      const t = tick(prev, s);
      const onTick = (x) => Math.round(x / t) * t;
      const at = (x) => String(onTick(x));
      const up = onTick(prev * 1.3), down = onTick(prev * 0.7), hi = onTick(prev * 1.25), lo = onTick(prev * 0.8);
      const shares = 5969782550;
      // Every field KIS's inquire-price answers with, in its order (81, none of them the
      // stock's name: that comes with holdings and orders, as prdt_name).
      return ok("MCA00000", "정상처리 되었습니다!", {
        output: {
          iscd_stat_cls_code: "55", marg_rate: "20.00", rprs_mrkt_kor_name: "KOSPI200", new_hgpr_lwpr_cls_code: "",
          bstp_kor_isnm: "전기·전자", temp_stop_yn: "N", oprc_rang_cont_yn: "N", clpr_rang_cont_yn: "N", crdt_able_yn: "Y",
          grmn_rate_cls_code: "40", elw_pblc_yn: "Y", stck_prpr: String(p), ...change(p, prev),
          acml_tr_pbmn: String(Number(today.acml_vol) * p), acml_vol: today.acml_vol, prdy_vrss_vol_rate: "85.12",
          stck_oprc: open, stck_hgpr: high, stck_lwpr: low, stck_mxpr: String(up), stck_llam: String(down),
          stck_sdpr: String(prev), wghn_avrg_stck_prc: p.toFixed(2), hts_frgn_ehrt: "50.12", frgn_ntby_qty: "-120345",
          pgtr_ntby_qty: "45210", pvt_scnd_dmrs_prc: at(prev * 1.03), pvt_frst_dmrs_prc: at(prev * 1.015),
          pvt_pont_val: String(prev), pvt_frst_dmsp_prc: at(prev * 0.985), pvt_scnd_dmsp_prc: at(prev * 0.97),
          dmrs_val: at(prev * 1.01), dmsp_val: at(prev * 0.99), cpfn: "7780", rstc_wdth_prc: String(up - prev),
          stck_fcam: "100", stck_sspr: at(prev * 0.7), aspr_unit: String(tick(p, s)), hts_deal_qty_unit_val: "1",
          lstn_stcn: String(shares), hts_avls: String(Math.round((p * shares) / 1e8)), per: "12.34", pbr: "1.23",
          stac_month: "12", vol_tnrt: "0.02", eps: "5777.00", bps: "52002.00", d250_hgpr: String(hi),
          d250_hgpr_date: "20260710", d250_hgpr_vrss_prpr_rate: rate(p, hi), d250_lwpr: String(lo),
          d250_lwpr_date: "20260105", d250_lwpr_vrss_prpr_rate: rate(p, lo), stck_dryy_hgpr: String(hi),
          dryy_hgpr_vrss_prpr_rate: rate(p, hi), dryy_hgpr_date: "20260710", stck_dryy_lwpr: String(lo),
          dryy_lwpr_vrss_prpr_rate: rate(p, lo), dryy_lwpr_date: "20260105", w52_hgpr: String(hi),
          w52_hgpr_vrss_prpr_ctrt: rate(p, hi), w52_hgpr_date: "20260710", w52_lwpr: String(lo),
          w52_lwpr_vrss_prpr_ctrt: rate(p, lo), w52_lwpr_date: "20260105", whol_loan_rmnd_rate: "0.05",
          ssts_yn: "Y", stck_shrn_iscd: s, fcam_cnnm: "100", cpfn_cnnm: "7,780 억", apprch_rate: "0.00",
          frgn_hldn_qty: String(Math.round(shares * 0.5012)), vi_cls_code: "N", ovtm_vi_cls_code: "N",
          last_ssts_cntg_qty: "0", invt_caful_yn: "N", mrkt_warn_cls_code: "00", short_over_yn: "N", sltr_yn: "N",
        },
      });
    },
    "inquire-daily-price"(q) {
      const missing = need(q, ["FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD", "FID_PERIOD_DIV_CODE", "FID_ORG_ADJ_PRC"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      return ok("MCA00000", "정상처리 되었습니다!", { output: dailyBars(q.FID_INPUT_ISCD, price(q.FID_INPUT_ISCD), q.FID_PERIOD_DIV_CODE, now()) });
    },
    "inquire-balance"(q, _side, headers) {
      const missing = need(q, ["CANO", "ACNT_PRDT_CD", "AFHR_FLPR_YN", "OFL_YN", "INQR_DVSN", "UNPR_DVSN", "FUND_STTL_ICLD_YN", "FNCG_AMT_AUTO_RDPT_YN", "PRCS_DVSN", "CTX_AREA_FK100", "CTX_AREA_NK100"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      const acct = account(q.CANO, q.ACNT_PRDT_CD);
      const today = kst(now()).date;
      const rows = [...acct.holdings].filter(([, h]) => h.qty > 0 || h.soldOutOn === today).map(([s, h]) => holdingRow(s, h));
      const p = paged(rows, opts.balancePage, q, headers, `${q.CANO}^${q.ACNT_PRDT_CD}^N^N^01^01^N`);
      if (p.error) return p.error;
      const stock = rows.reduce((a, r) => a + Number(r.evlu_amt), 0);
      const pchs = rows.reduce((a, r) => a + Number(r.pchs_amt), 0);
      const cash = String(Math.round(acct.cash)), total = String(Math.round(acct.cash + stock));
      // KIS's 24 fields, in its order.
      const summary = {
        dnca_tot_amt: cash, nxdy_excc_amt: cash, prvs_rcdl_excc_amt: cash, cma_evlu_amt: "0", bfdy_buy_amt: "0",
        thdt_buy_amt: "0", nxdy_auto_rdpt_amt: "0", bfdy_sll_amt: "0", thdt_sll_amt: "0", d2_auto_rdpt_amt: "0",
        bfdy_tlex_amt: "0", thdt_tlex_amt: "0", tot_loan_amt: "0", scts_evlu_amt: String(stock), tot_evlu_amt: total,
        nass_amt: total, fncg_gld_auto_rdpt_yn: "", pchs_amt_smtl_amt: String(pchs), evlu_amt_smtl_amt: String(stock),
        evlu_pfls_smtl_amt: String(stock - pchs), tot_stln_slng_chgs: "0", bfdy_tot_asst_evlu_amt: total,
        asst_icdc_amt: "0", asst_icdc_erng_rt: "0.00000000",
      };
      const [status, body] = ok("KIOK0510", "조회가 완료되었습니다                                                  ", { ...p.ctx, output1: p.slice, output2: [summary] });
      return [status, body, { tr_cont: p.trCont }];
    },
    "inquire-psbl-order"(q) {
      const missing = need(q, ["CANO", "ACNT_PRDT_CD", "PDNO", "ORD_UNPR", "ORD_DVSN", "CMA_EVLU_AMT_ICLD_YN", "OVRS_ICLD_YN"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      const acct = account(q.CANO, q.ACNT_PRDT_CD);
      const unit = Number(q.ORD_UNPR) > 0 && q.ORD_DVSN !== "01" ? Number(q.ORD_UNPR) : price(q.PDNO);
      const cash = orderable(acct);
      const qty = Math.floor(cash / unit);
      return ok("KIOK0510", "조회가 완료되었습니다", {
        output: {
          ord_psbl_cash: String(Math.round(cash)), ord_psbl_sbst: "0", ruse_psbl_amt: "0", fund_rpch_chgs: "0",
          psbl_qty_calc_unpr: String(unit), nrcvb_buy_amt: String(qty * unit), nrcvb_buy_qty: String(qty),
          max_buy_amt: String(qty * unit), max_buy_qty: String(qty), cma_evlu_amt: "0", ovrs_re_use_amt_wcrc: "0",
          ord_psbl_frcr_amt_wcrc: "0",
        },
      });
    },
    "order-cash"(b, side) {
      const missing = need(b, ["CANO", "ACNT_PRDT_CD", "PDNO", "ORD_DVSN", "ORD_QTY", "ORD_UNPR"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      if (env === "mock" && exchangeOf(b) !== "KRX") return [200, MOCK_KRX_ONLY];
      const qty = Number(b.ORD_QTY);
      if (!/^[1-9][0-9]*$/.test(b.ORD_QTY)) return [200, kisError("APBK0918", "주문수량을 확인하세요")];
      const market = b.ORD_DVSN === "01";
      // IOC and FOK limits (11, 12), real only: what does not fill at once the exchange cancels.
      const immediate = env === "real" && IMMEDIATE.includes(b.ORD_DVSN);
      if (!["00", "01"].includes(b.ORD_DVSN) && !immediate) return [200, kisError("APBK0900", "모의투자에서 지원하지 않는 주문구분입니다")];
      if (market ? b.ORD_UNPR !== "0" : !/^[1-9][0-9]*$/.test(b.ORD_UNPR)) return [200, kisError("APBK0919", "주문단가를 확인하세요")];
      const limit = Number(b.ORD_UNPR);
      if (!market && offTick(limit, b.PDNO)) return [200, OFF_TICK];
      const acct = account(b.CANO, b.ACNT_PRDT_CD);
      const p = price(b.PDNO);
      if (side === "buy" && (market ? p : limit) * qty > orderable(acct)) return [200, kisError("APBK0952", "주문가능금액을 초과 했습니다")];
      const h = acct.holdings.get(b.PDNO);
      if (side === "sell" && (!h || h.qty - (h.reserved ?? 0) < qty)) return [200, kisError("APBK0400", "주문가능수량을 초과하였습니다")];
      const t = kst(now());
      const order = {
        odno: String(state.nextOrderNo++).padStart(10, "0"), orgno: "00950", side, symbol: b.PDNO, qty,
        price: market ? 0 : limit, dvsn: b.ORD_DVSN, date: t.date, time: t.time, filled: 0, cancelled: false,
        account: `${b.CANO}${b.ACNT_PRDT_CD}`, exchange: exchangeOf(b),
      };
      acct.orders.push(order);
      realtime?.notifyOrder(order, "accepted");
      if (side === "sell") h.reserved = (h.reserved ?? 0) + qty;
      if (market || (side === "buy" ? limit >= p : limit <= p)) fill(acct, order, p);
      else if (immediate) {
        // The mock fills an order whole or not at all, so the exchange cancels all of it, and
        // says so in a notice of 접수여부 3, 취소(FOK/IOC).
        order.cancelledQty = qty;
        order.cancelled = true;
        release(acct, order, qty);
        realtime?.notifyOrder(order, "expired");
      }
      return ok("APBK0013", "주문 전송 완료 되었습니다.", { output: { KRX_FWDG_ORD_ORGNO: order.orgno, ODNO: order.odno, ORD_TMD: order.time } });
    },
    "order-rvsecncl"(b) {
      const missing = need(b, ["CANO", "ACNT_PRDT_CD", "KRX_FWDG_ORD_ORGNO", "ORGN_ODNO", "ORD_DVSN", "RVSE_CNCL_DVSN_CD", "ORD_QTY", "ORD_UNPR", "QTY_ALL_ORD_YN"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      if (!["01", "02"].includes(b.RVSE_CNCL_DVSN_CD)) return [200, kisError("APBK0900", "정정취소구분코드를 확인하세요")];
      if (env === "mock" && exchangeOf(b) !== "KRX") return [200, MOCK_KRX_ONLY];
      const modify = b.RVSE_CNCL_DVSN_CD === "01";
      const market = b.ORD_DVSN === "01";
      if (modify) {
        if (!["00", "01"].includes(b.ORD_DVSN)) return [200, kisError("APBK0900", "모의투자에서 지원하지 않는 주문구분입니다")];
        if (market ? b.ORD_UNPR !== "0" : !/^[1-9][0-9]*$/.test(b.ORD_UNPR)) return [200, kisError("APBK0919", "주문단가를 확인하세요")];
      }
      const acct = account(b.CANO, b.ACNT_PRDT_CD);
      // An order number without its leading zeros names the same order.
      const orgn = /^\d{1,10}$/.test(b.ORGN_ODNO) ? b.ORGN_ODNO.padStart(10, "0") : b.ORGN_ODNO;
      const order = acct.orders.find((x) => x.odno === orgn && x.orgno === b.KRX_FWDG_ORD_ORGNO);
      if (!order) return [200, kisError("APBK0344", "원주문번호가 존재하지 않습니다")];
      // The new price's step is its order's symbol's.
      if (modify && !market && offTick(Number(b.ORD_UNPR), order.symbol)) return [200, OFF_TICK];
      // KIS refuses a change sent to another exchange than its order's (seen answered rt_cd 7;
      // the code and wording here are the mock's own).
      if (exchangeOf(b) !== (order.exchange ?? "KRX")) return [200, { rt_cd: "7", msg_cd: "APBK1746", msg1: "원주문의 거래소와 다릅니다" }];
      const open = openQty(order);
      if (open <= 0 || order.cancelled) return [200, kisError(modify ? "APBK0635" : "APBK0634", modify ? "정정 가능한 수량이 없습니다" : "취소 가능한 수량이 없습니다")];
      const qty = b.QTY_ALL_ORD_YN === "Y" ? open : Math.min(open, Number(b.ORD_QTY));
      if (modify) {
        // KIS books a modification as a new order, naming the original in orgn_odno, for the
        // quantity it takes off the original.
        order.cancelledQty = (order.cancelledQty ?? 0) + qty;
        order.cancelled = order.cancelledQty + order.filled >= order.qty;
        const t = kst(now());
        const limit = market ? 0 : Number(b.ORD_UNPR);
        const revised = {
          odno: String(state.nextOrderNo++).padStart(10, "0"), orgOdno: order.odno, orgno: order.orgno, side: order.side,
          symbol: order.symbol, qty, price: limit, dvsn: b.ORD_DVSN, date: t.date, time: t.time, filled: 0, cancelled: false,
          account: order.account, exchange: order.exchange,
        };
        acct.orders.push(revised);
        realtime?.notifyOrder(revised, "modified");
        const p = price(order.symbol);
        if (market || (order.side === "buy" ? limit >= p : limit <= p)) fill(acct, revised, p);
        return ok("APBK0013", "주문 전송 완료 되었습니다.", { output: { KRX_FWDG_ORD_ORGNO: order.orgno, ODNO: revised.odno, ORD_TMD: t.time } });
      }
      order.cancelledQty = (order.cancelledQty ?? 0) + qty;
      order.cancelled = order.cancelledQty + order.filled >= order.qty;
      release(acct, order, qty);
      const t = kst(now());
      const odno = String(state.nextOrderNo++).padStart(10, "0");
      // KIS lists a cancel as an order of its own that names the original in orgn_odno.
      const change = {
        odno, orgOdno: order.odno, orgno: order.orgno, side: order.side, symbol: order.symbol, qty, price: order.price,
        dvsn: order.dvsn, date: t.date, time: t.time, filled: 0, cancelledQty: qty, cancelled: true, account: order.account,
        exchange: order.exchange,
      };
      acct.changes.push(change);
      realtime?.notifyOrder(change, "cancelled", qty);
      return ok("APBK0013", "주문 전송 완료 되었습니다.", { output: { KRX_FWDG_ORD_ORGNO: order.orgno, ODNO: odno, ORD_TMD: t.time } });
    },
    "inquire-daily-ccld"(q, _side, headers) {
      const missing = need(q, ["CANO", "ACNT_PRDT_CD", "INQR_STRT_DT", "INQR_END_DT", "SLL_BUY_DVSN_CD", "INQR_DVSN", "PDNO", "CCLD_DVSN", "ORD_GNO_BRNO", "ODNO", "INQR_DVSN_3", "INQR_DVSN_1", "CTX_AREA_FK100", "CTX_AREA_NK100"]);
      if (missing) return [200, kisError("OPSQ2001", `필수항목 누락: ${missing}`)];
      const acct = account(q.CANO, q.ACNT_PRDT_CD);
      const sideCode = { sell: "01", buy: "02" };
      const rows = [...acct.orders, ...acct.changes]
        .sort((x, y) => (x.odno < y.odno ? -1 : 1))
        .filter((x) => x.date >= q.INQR_STRT_DT && x.date <= q.INQR_END_DT && !(x.listedFrom > Date.now()))
        .filter((x) => q.SLL_BUY_DVSN_CD === "00" || sideCode[x.side] === q.SLL_BUY_DVSN_CD)
        .filter((x) => !q.PDNO || x.symbol === q.PDNO)
        .filter((x) => q.CCLD_DVSN === "00" || (q.CCLD_DVSN === "01" ? x.filled > 0 : x.filled < x.qty))
        // KIS's 36 fields, in its order and spelling (cnc_cfrm_qty, excg_id_dvsn_Cd).
        .map((x) => ({
          ord_dt: x.date, ord_gno_brno: x.orgno, odno: x.odno, orgn_odno: x.orgOdno ?? "",
          ord_dvsn_name: ORDER_TYPE_NAMES[x.dvsn] ?? "지정가", sll_buy_dvsn_cd: sideCode[x.side],
          sll_buy_dvsn_cd_name: x.side === "buy" ? "현금매수" : "현금매도", pdno: x.symbol, prdt_name: info(x.symbol).name,
          ord_qty: String(x.qty), ord_unpr: String(x.price), ord_tmd: x.time, tot_ccld_qty: String(x.filled),
          avg_prvs: String(x.avgFill ?? 0), cncl_yn: x.cancelled ? "Y" : "N", tot_ccld_amt: String(x.filled * (x.avgFill ?? 0)),
          loan_dt: "", ordr_empno: "", ord_dvsn_cd: x.dvsn, cnc_cfrm_qty: String(x.cancelledQty ?? 0),
          rmn_qty: String(openQty(x)), rjct_qty: String(x.rejectedQty ?? 0),
          ccld_cndt_name: "없음", inqr_ip_addr: "", cpbc_ordp_ord_rcit_dvsn_cd: "", cpbc_ordp_infm_mthd_dvsn_cd: "",
          infm_tmd: "", ctac_tlno: "", prdt_type_cd: "300", excg_dvsn_cd: "02", cpbc_ordp_mtrl_dvsn_cd: "",
          ord_orgno: "", rsvn_ord_end_dt: "", excg_id_dvsn_Cd: x.exchange ?? "KRX", stpm_cndt_pric: "0", stpm_efct_occr_dtmd: "",
        }));
      if (q.INQR_DVSN !== "01") rows.reverse();
      const p = paged(rows, opts.ordersPage, q, headers, `${q.CANO}^${q.ACNT_PRDT_CD}^${q.INQR_STRT_DT}`);
      if (p.error) return p.error;
      const [status, body] = ok("KIOK0460", "조회 되었습니다. (마지막 자료)", {
        ...p.ctx, output1: p.slice,
        output2: { tot_ord_qty: String(rows.reduce((a, r) => a + Number(r.ord_qty), 0)), tot_ccld_qty: String(rows.reduce((a, r) => a + Number(r.tot_ccld_qty), 0)), tot_ccld_amt: "0", prsm_tlex_smtl: "0", pchs_avg_pric: "0" },
      });
      return [status, body, { tr_cont: p.trCont }];
    },
  };

  // ---- HTTP plumbing, faults and recording -----------------------------------------------------

  function redact(headers, path, body) {
    const h = { ...headers };
    for (const k of SECRET_HEADERS) if (h[k]) h[k] = "***";
    let b = body;
    if (path.startsWith("/oauth2/")) b = body.replace(/("(appkey|appsecret|secretkey|token)"\s*:\s*")[^"]*"/g, '$1***"');
    return { headers: h, body: b };
  }

  function takeFault(path) {
    const i = faults.findIndex((f) => path.endsWith(f.path) && f.times > 0);
    if (i < 0) return null;
    const f = faults[i];
    f.times -= 1;
    if (f.times === 0) faults.splice(i, 1);
    return f;
  }

  function control(method, path, body, res) {
    const send = (status, obj) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(obj));
    };
    if (path === "/__mock/requests") return send(200, requests);
    if (path === "/__mock/state") return send(200, api.snapshot());
    if (method !== "POST") return send(405, { error: "POST" });
    const arg = jsonObject(body || "{}");
    if (!arg) return send(400, { error: "a JSON object expected" });
    if (path === "/__mock/faults") return send(200, api.addFault(arg));
    if (path === "/__mock/price") return send(200, api.setPrice(arg.symbol, arg.price));
    if (path === "/__mock/reject") {
      const [cano, prdt = "01"] = String(arg.account ?? "").split("-");
      return send(200, { rejected: api.reject(cano, String(arg.orderNo ?? ""), prdt) });
    }
    if (path === "/__mock/reset") return send(200, api.reset());
    send(404, { error: "unknown control path" });
  }

  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url, "http://mock");
      const path = url.pathname;
      if (path.startsWith("/__mock/")) return control(req.method, path, body, res);
      const query = Object.fromEntries(url.searchParams);
      const record = { at: now(), method: req.method, path, query, ...redact(req.headers, path, body), status: 0 };
      requests.push(record);
      const answer = () => {
        if (path === "/oauth2/tokenP" && req.method === "POST") return tokenP(body);
        if (path === "/oauth2/Approval" && req.method === "POST") return approval(body);
        if (path === "/oauth2/revokeP" && req.method === "POST") return revokeP(body);
        if (path.startsWith("/uapi/")) return uapi(req.method, path, query, req.headers, body);
        return [404, "<html><body>404 Not Found</body></html>"];
      };
      const fault = takeFault(path);
      const reply = (status, payload, headers = {}) => {
        record.status = status;
        const text = typeof payload === "string" ? payload : JSON.stringify(payload);
        const type = typeof payload === "string" ? "text/html; charset=utf-8" : "application/json; charset=utf-8";
        res.writeHead(status, { "content-type": type, ...headers });
        res.end(text);
      };
      if (!fault) return reply(...answer());
      record.fault = fault.type;
      switch (fault.type) {
        case "hang":
          return; // the client's timeout has to end it
        case "reset":
          return req.socket.destroy();
        case "html":
          return reply(fault.status ?? 502, "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>");
        case "truncated": {
          const [, payload] = answer();
          const text = JSON.stringify(payload);
          record.status = 200;
          res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
          return res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        }
        case "executeThen504":
          answer();
          return reply(504, "<html><body>504 Gateway Time-out</body></html>");
        case "executeThenReset":
          answer();
          return req.socket.destroy();
        case "executeUnlisted": {
          // Booked, but KIS's daily list shows it only `delayMs` later (its view lags), and the
          // answer is lost: `status` without KIS's envelope (default 500), or a reset.
          const [, payload] = answer();
          const odno = payload?.output?.ODNO;
          for (const acct of state.accounts.values()) {
            for (const x of [...acct.orders, ...acct.changes]) if (x.odno === odno) x.listedFrom = Date.now() + (fault.delayMs ?? 60_000);
          }
          if (fault.status === 0) return req.socket.destroy();
          return reply(fault.status ?? 500, fault.body ?? "");
        }
        case "slow": {
          const [status, payload, headers] = answer();
          return void setTimeout(() => res.destroyed || reply(status, payload, headers), fault.delayMs ?? 1000);
        }
        case "egw00201":
          return reply(500, kisError("EGW00201", "초당 거래건수를 초과하였습니다."));
        case "egw00123":
          return reply(500, kisError("EGW00123", "기간이 만료된 token 입니다."));
        default:
          return reply(fault.status ?? 500, fault.body ?? "");
      }
    });
  });
  const listening = await listen(server, o.port ?? 0, o.host);
  const { port } = listening;
  realtime = attachRealtime(server, { env, approvals: state.approvals, price, day, name: (s) => info(s).name, now, tickMs: o.tickMs, pingMs: o.pingMs });

  const api = {
    url: `http://127.0.0.1:${port}`,
    port,
    env,
    options: opts,
    requests,
    faults,
    counts: state.counts,
    /** Scripts the next `times` answers of paths ending in `path`. Types: status (with status,
     *  body), hang, reset, html, truncated, executeThen504, executeThenReset, executeUnlisted (booked, listed
     *  `delayMs` later, answered `status` without an envelope, 0 = reset), egw00201, egw00123,
     *  slow (handled at once, answered `delayMs` later). */
    addFault({ path, times = 1, type = "status", status, body, delayMs }) {
      faults.push({ path, times, type, status, body, delayMs });
      return { queued: faults.length };
    },
    /** Moves a price; open limit orders it makes marketable fill at it, as on the exchange. */
    setPrice(symbol, p) {
      state.prices.set(symbol, Number(p));
      for (const acct of state.accounts.values()) {
        for (const x of acct.orders) {
          // Whole or not at all: an order nothing of which is filled, cancelled or refused.
          const open = x.symbol === symbol && !x.cancelled && openQty(x) === x.qty && x.dvsn === "00";
          if (open && (x.side === "buy" ? x.price >= p : x.price <= p)) fill(acct, x, Number(p));
        }
      }
      return { symbol, price: price(symbol) };
    },
    /** The exchange refuses what is open of an account's order after KIS took it (거부): it is
     *  listed with its rest as rjct_qty, and a notice with 거부여부 1 goes to the socket.
     *  Returns whether there was anything open to refuse. */
    reject(cano, odno, prdt = "01") {
      const acct = account(cano, prdt);
      const order = acct.orders.find((x) => x.odno === odno);
      const open = order && !order.cancelled ? openQty(order) : 0;
      if (open <= 0) return false;
      order.rejectedQty = (order.rejectedQty ?? 0) + open;
      release(acct, order, open);
      realtime?.notifyOrder(order, "rejected", open);
      return true;
    },
    /** The orders of the markets kis-mock books from the catalogue (overseas stocks, futures,
     *  bonds, reserved orders) that list `list` (its path) shows under `trId` ("" for its first
     *  TR ID) for an account, for assertions. */
    booked(list, cano, prdt = "01", trId = "") {
      return books.booked(list, cano, prdt, trId);
    },
    /** Orders of an account, for assertions. */
    orders(cano, prdt = "01") {
      return account(cano, prdt).orders.map((x) => ({ ...x }));
    },
    snapshot() {
      return {
        env, counts: { ...state.counts },
        accounts: Object.fromEntries([...state.accounts].map(([k, a]) => [k, { cash: a.cash, holdings: Object.fromEntries(a.holdings), orders: a.orders }])),
      };
    },
    reset() {
      state.accounts.clear();
      state.prices.clear();
      faults.length = 0;
      requests.length = 0;
      return { reset: true };
    },
    /** The realtime socket: `counts`, and `dropAll()` to cut every connection. */
    get realtime() {
      return realtime;
    },
    wsUrl: `ws://127.0.0.1:${port}`,
    async close() {
      await realtime.close();
      await listening.close();
    },
  };
  return api;
}

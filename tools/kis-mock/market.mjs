// Deterministic market data for the mock: a handful of real KRX symbols with believable prices,
// and 30 daily bars per symbol from a PRNG seeded by the symbol, so every run sees the same chart.

export const SYMBOLS = {
  "005930": { name: "삼성전자", price: 71000 },
  "000660": { name: "SK하이닉스", price: 190000 },
  "035420": { name: "NAVER", price: 210000 },
  "005380": { name: "현대차", price: 240000 },
  "035720": { name: "카카오", price: 45000 },
  "360750": { name: "TIGER 미국S&P500", price: 19000, etf: true },
  "0091C0": { name: "새로운종목", price: 12000 },
};

function hash(s) {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** KRX tick size for a price of `symbol` (2023 rules): for an ETF 5 won, or 1 below 2 000
 *  won; for a stock, by price band. */
export function tick(price, symbol) {
  if (SYMBOLS[symbol]?.etf) return price < 2000 ? 1 : 5;
  if (price < 2000) return 1;
  if (price < 5000) return 5;
  if (price < 20000) return 10;
  if (price < 50000) return 50;
  if (price < 200000) return 100;
  if (price < 500000) return 500;
  return 1000;
}

const round = (p, symbol) => {
  const step = tick(p, symbol);
  return Math.max(step, Math.round(p / step) * step);
};

export function info(symbol) {
  return SYMBOLS[symbol] ?? { name: `종목${symbol}`, price: round(5000 + (hash(symbol) % 95000), symbol) };
}

/** Korea-time parts of an instant. */
export function kst(ms) {
  const d = new Date(ms + 9 * 3600e3);
  const iso = d.toISOString();
  return { date: iso.slice(0, 10).replaceAll("-", ""), time: iso.slice(11, 19).replaceAll(":", "") };
}

/** Up to 30 one-minute bars ending at `hhmmss` (not before 09:00), newest first as KIS sends
 *  them, around `close` on its tick; deterministic for a symbol and minute. */
export function minuteBars(symbol, close, hhmmss, date) {
  const step = tick(close, symbol);
  const end = Number(hhmmss.slice(0, 2)) * 60 + Number(hhmmss.slice(2, 4));
  const rows = [];
  for (let t = Math.min(end, 15 * 60 + 30); t >= 9 * 60 && rows.length < 30; t--) {
    const next = rng(hash(`${symbol}${date}${t}`));
    const c = close + Math.round((next() - 0.5) * 6) * step;
    const o = c + Math.round((next() - 0.5) * 2) * step;
    const vol = 100 + Math.floor(next() * 5000);
    rows.push({
      stck_bsop_date: date, stck_cntg_hour: `${String(Math.floor(t / 60)).padStart(2, "0")}${String(t % 60).padStart(2, "0")}00`,
      stck_prpr: String(c), stck_oprc: String(o), stck_hgpr: String(Math.max(o, c) + step), stck_lwpr: String(Math.min(o, c) - step),
      cntg_vol: String(vol), acml_tr_pbmn: String(vol * c),
    });
  }
  return rows;
}

/** The resting quantity at level `i` (1–10) of a side ("a" asks, "b" bids) of `symbol`'s book:
 *  deterministic, and moving with `n` so a realtime book visibly changes. */
export function bookQty(symbol, side, i, n = 0) {
  return 100 + ((hash(`${symbol}${side}${i}`) + n * 7919 * i) % 900);
}

/** `a` against `b`, in per cent with two decimals, as KIS writes a rate. */
export function rate(a, b) {
  return ((100 * (a - b)) / b).toFixed(2);
}

/** Price `p` against yesterday's close `prev`, in KIS's three fields, in KIS's order. */
export function change(p, prev) {
  return { prdy_vrss: String(p - prev), prdy_vrss_sign: p > prev ? "2" : p < prev ? "5" : "3", prdy_ctrt: rate(p, prev) };
}

/** `count` (30) bars, newest first (as KIS sends them), ending at `close` today. Fewer bars are
 *  the first of the 30: the sequence is drawn newest first. */
export function dailyBars(symbol, close, period, nowMs, count = 30) {
  const next = rng(hash(symbol + period));
  const step = { D: 1, W: 7, M: 30 }[period] ?? 1;
  const bars = [];
  let c = close;
  let day = nowMs;
  for (let i = 0; bars.length < count && i < 400; i++) {
    const wd = new Date(day + 9 * 3600e3).getUTCDay();
    if (period !== "D" || (wd !== 0 && wd !== 6)) {
      const vol = 0.012 * Math.sqrt(step);
      const o = round(c * (1 + (next() - 0.5) * vol), symbol);
      const h = round(Math.max(o, c) * (1 + next() * vol * 0.6), symbol);
      const l = round(Math.min(o, c) * (1 - next() * vol * 0.6), symbol);
      const prev = round(c * (1 + (next() - 0.5) * vol * 1.6), symbol);
      // KIS's 14 fields, in its order (the ones no chart needs are constants, so the drawn
      // sequence, and every chart, stays as it was).
      bars.push({
        stck_bsop_date: kst(day).date, stck_oprc: String(o), stck_hgpr: String(h), stck_lwpr: String(l),
        stck_clpr: String(c), acml_vol: String(Math.round(100000 + next() * 900000)), prdy_vrss_vol_rate: "95.12",
        ...change(c, prev), hts_frgn_ehrt: "50.12", frgn_ntby_qty: "0",
        flng_cls_code: "00", acml_prtt_rate: "1.00",
      });
      c = prev;
    }
    day -= step * 86400e3;
  }
  return bars;
}

// The order books of the markets kis-mock answers from the catalogue's layouts (overseas stocks,
// domestic and overseas futures, bonds, reserved orders): an order those APIs take is booked,
// its answer names it, and the market's list of orders shows it, so that a client's lookup of a
// lost answer (B5) finds it as it would at KIS. Reserved orders are booked in their lists of
// reserved orders. A modification or cancel of a booked order is listed as an order of its own
// naming it, as KIS lists them, or marks the order's own row where KIS does so (a US reserved
// order's cancel). The data is the client's own, catalogue/order-books.json: which
// list shows each order API's orders, and under which names. (Domestic stock cash orders have
// the hand-made account of server.mjs.)
import fs from "node:fs";
import { kst } from "./market.mjs";

/** The order books beside this file (the package's copy), or, run from the repository, the
 *  catalogue's. */
function load() {
  const here = new URL("./order-books.json", import.meta.url);
  const file = fs.existsSync(here) ? here : new URL("../../catalogue/order-books.json", import.meta.url);
  return JSON.parse(fs.readFileSync(file, "utf8")).books;
}

/** Whether a call of `api` (an order API or a change API of a book) under `trId` with `input`
 *  is one of its book: an API two markets share is told apart by TR ID, and an order from a
 *  cancel through the same API by a parameter's value. */
function places(api, trId, input) {
  const trIds = api.buys ? [...api.buys, ...api.sells] : api.trIds;
  if (trIds && !trIds.includes(trId)) return false;
  return Object.entries(api.when ?? {}).every(([name, value]) => input[name] === value);
}

/** The side an order API's call places: "01" sell, "02" buy, or undefined. */
function sideOf(order, trId, input) {
  if (order.buys) return order.buys.includes(trId) ? "02" : order.sells.includes(trId) ? "01" : undefined;
  if (order.sideParam) return ["01", "02"].includes(input[order.sideParam]) ? input[order.sideParam] : undefined;
  return order.side === "buy" ? "02" : "01";
}

const ORG_NO = "01790";

/** The columns of when an order was taken, at KST `t`. */
function when(c, t) {
  // A column of both day and time is KIS's to the millisecond.
  return { [c.date]: t.date, [c.time]: /dtime$/.test(c.time) ? `${t.date}${t.time}000` : t.time };
}

/**
 * @param {object} o
 * @param {Set<string>} o.handMade paths with hand-made logic, left to it
 * @param {() => number} o.now
 */
export function createBooks({ handMade, now }) {
  const books = load().filter((b) => !handMade.has(b.lookup));
  const orders = books.flatMap((b) => b.orders.map((o) => [b, o]));
  const changes = books.flatMap((b) => b.changes.map((c) => [b, c]));
  /** The book list `path` shows under `trId`: one that names that TR ID, else the one under
   *  the list's first (the overseas reserved orders: Asia's under TTTS3014R, the US's under
   *  TTTT3039R). */
  const bookOfList = (path, trId) =>
    books.find((b) => b.lookup === path && b.lookupTrId === trId) ?? books.find((b) => b.lookup === path && !b.lookupTrId);
  /** `list path|its TR ID|account` → rows, oldest first. */
  const rows = new Map();
  const account = (book, cano, prdt) => `${book.lookup}|${book.lookupTrId ?? ""}|${cano}${prdt}`;
  let nextOrderNo = 1;

  /** Lists `row`, taken at KST `t`, in `book` for the caller's account, and names it in the
   *  answer `body`'s fields `answer`. */
  function keep(book, answer, input, row, t, body) {
    const key = account(book, input.CANO, input.ACNT_PRDT_CD);
    rows.set(key, [...(rows.get(key) ?? []), row]);
    const c = book.columns;
    // The list's own name for the number too: a reserved order's answer gives RSVN_ORD_SEQ, or
    // (US) both ODNO and OVRS_RSVN_ODNO.
    const named = { ODNO: row[c.orderNo], [c.orderNo.toUpperCase()]: row[c.orderNo], KRX_FWDG_ORD_ORGNO: ORG_NO, ORD_GNO_BRNO: ORG_NO, ORD_TMD: t.time, ORD_DT: t.date };
    const output = Array.isArray(body.output) ? body.output[0] : body.output;
    for (const f of answer) if (output && named[f.toUpperCase()] !== undefined) output[f] = named[f.toUpperCase()];
    return body;
  }

  /** A modification or cancel (`found`: its book and change API) of a booked order: listed, as
   *  KIS lists it, as an order of its own naming the one it changes (at the new price, for a
   *  modification that gives one), or marked on the order's own row where KIS does so. */
  function change(found, trId, input, body) {
    const [book, change] = found;
    if (body.rt_cd !== "0") return body;
    const c = book.columns;
    const original = (rows.get(account(book, input.CANO, input.ACNT_PRDT_CD)) ?? []).find(
      (r) => r[c.orderNo] === input[change.original] && (!change.originalDate || r[c.date] === input[change.originalDate]),
    );
    // Not an order it booked: answered from the layout all the same.
    if (!original) return body;
    if (change.marks) {
      // A cancel KIS shows on the order's own row (a US reserved order's cncl_yn "Y").
      Object.assign(original, change.marks);
      const output = Array.isArray(body.output) ? body.output[0] : body.output;
      const named = { ODNO: original[c.orderNo], [c.orderNo.toUpperCase()]: original[c.orderNo] };
      for (const f of change.answer) if (output && named[f.toUpperCase()] !== undefined) output[f] = named[f.toUpperCase()];
      return body;
    }
    const cancel = change.cancels.param ? input[change.cancels.param] === change.cancels.value : change.cancels.trIds.includes(trId);
    const t = kst(now());
    const row = { ...original, ...when(c, t), [c.orderNo]: String(nextOrderNo++).padStart(10, "0"), [c.original]: original[c.orderNo] };
    const price = Number(input[book.params.price]);
    if (!cancel && price > 0) row[book.row.price] = input[book.params.price];
    return keep(book, change.answer, input, row, t, body);
  }

  return {
    /** The orders a list shows under `trId` ("" for its first) for account `cano` + `prdt`,
     *  oldest first. */
    booked(list, cano, prdt, trId = "") {
      const book = bookOfList(list, trId);
      return book ? (rows.get(account(book, cano, prdt)) ?? []).map((r) => ({ ...r })) : [];
    },

    /** An order API's answer `body` to a call of `input` with `trId`: books the order and makes
     *  the answer name it, in the fields its layout has. */
    order(path, trId, input, body) {
      // A change, told from an order of the same API by its parameters (Asia's reserved
      // orders are cancelled through the API that places them).
      const changed = changes.find(([, c]) => c.path === path && places(c, trId, input));
      if (changed) return change(changed, trId, input, body);
      // Not an order it can book (a TR ID no book lists, a cancel): answered from the layout.
      const found = orders.find(([, o]) => o.path === path && places(o, trId, input));
      if (!found || body.rt_cd !== "0") return body;
      const [book, order] = found;
      const side = sideOf(order, trId, input);
      // Not an order it can book (an empty side): answered from the layout all the same.
      if (!side) return body;
      const t = kst(now());
      const orderNo = String(nextOrderNo++).padStart(10, "0");
      const c = book.columns;
      const row = {
        [book.row.symbol]: input[book.params.symbol] ?? "",
        [book.row.quantity]: input[book.params.quantity] ?? "",
        [book.row.price]: input[book.params.price] || "0",
        [c.side]: side,
        ...when(c, t),
        [c.orderNo]: orderNo,
      };
      if (c.original) row[c.original] = "";
      if (book.row.orderType && book.params.orderType) row[book.row.orderType] = input[book.params.orderType] ?? "";
      if (c.orgNo) row[c.orgNo] = ORG_NO;
      return keep(book, order.answer, input, row, t, body);
    },

    /** A list's answer `body` to `input` under `trId`: the account's booked orders, newest
     *  first, in the group of the list's layout that has their columns (one object where the
     *  layout says so: the newest). */
    list(path, trId, input, body) {
      const book = bookOfList(path, trId);
      if (!book || body.rt_cd !== "0") return body;
      const booked = [...(rows.get(account(book, input.CANO, input.ACNT_PRDT_CD)) ?? [])].reverse();
      // The query's symbol and side filters, where the caller set them.
      const filters = Object.entries(book.query).flatMap(([name, v]) => {
        const given = input[name];
        if (!given || given === "%" || given === "00" || given === "%%") return [];
        if (v === "{symbol}") return [[book.row.symbol, given]];
        if (v === "{side}") return [[book.columns.side, given]];
        return [];
      });
      const listed = booked.filter((r) => filters.every(([col, want]) => r[col] === want));
      const group = Object.keys(body).find((g) => {
        const sample = Array.isArray(body[g]) ? body[g][0] : body[g];
        return g.startsWith("output") && sample && book.columns.orderNo in sample;
      });
      if (!group || !listed.length) return body;
      const template = Array.isArray(body[group]) ? body[group][0] : body[group];
      const filled = listed.map((r) => ({ ...template, ...r }));
      body[group] = Array.isArray(body[group]) ? [...filled, ...body[group]] : filled[0];
      return body;
    },
  };
}

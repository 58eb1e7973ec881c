// Every catalogued KIS REST API that the mock has no hand-made account logic for: answered from
// the catalogue's layout, with every response field KIS lists, in KIS's groups, and plausible,
// deterministic values (Korea-time dates and times, the simulated market's price for a symbol it
// knows). The TR ID must be one of the API's for the environment, and every required parameter
// must be there, as KIS checks.
import fs from "node:fs";
import { info, kst } from "./market.mjs";

/** The compact layout the build writes beside this file (pkg/tools/kis-mock/catalogue.json), or,
 *  run from the repository, the catalogue itself. */
function load() {
  const here = new URL("./catalogue.json", import.meta.url);
  if (fs.existsSync(here)) return JSON.parse(fs.readFileSync(here, "utf8"));
  const full = JSON.parse(fs.readFileSync(new URL("../../catalogue/kis-api.json", import.meta.url), "utf8"));
  return compact(full);
}

/** Groups by name as `[name, array, fields]`: a few sheets list a group twice (for two
 *  conditions), answered as one group with both's fields. */
function merged(groups) {
  const byName = new Map();
  for (const g of groups) {
    const had = byName.get(g.name);
    byName.set(g.name, had ? [g.name, had[1] || g.array, [...had[2], ...g.fields.map((f) => f.name)]] : [g.name, g.array, g.fields.map((f) => f.name)]);
  }
  return [...byName.values()];
}

/** What the mock needs of each API, keyed by path: `[method, realIds, mockIds | null, params
 *  ([name, required]), top fields, groups ([name, array, fields])]`. */
export function compact(catalogue) {
  return Object.fromEntries(catalogue.rest.map((a) => [a.path, [
    a.method,
    a.trIds.real.map((t) => t.id),
    a.trIds.mock ? a.trIds.mock.map((t) => t.id) : null,
    a.request.map((f) => [f.name, f.required]),
    a.response.top.map((f) => f.name),
    merged(a.response.groups),
  ]]));
}

let layouts;

/** A value for `field` (KIS's lower-case name) of row `i`, about `symbol`. */
function value(field, i, symbol, nowMs) {
  const f = field.toLowerCase();
  const t = kst(nowMs - i * 86400e3);
  const p = info(symbol).price;
  if (/(^|_)(dt|date)$|_dt_|ymd|bsop_date/.test(f)) return t.date;
  if (/(tmd|time|hour|_hms)$/.test(f)) return kst(nowMs - i * 60e3).time;
  if (/(^|_)(pdno|iscd|shrn_iscd|srs_cd|symb)$/.test(f)) return symbol;
  if (/(name|_nm|nm)$/.test(f)) return info(symbol).name;
  if (/_yn$/.test(f)) return "N";
  if (/ctrt|rate|rt$|prdy_ctrt|_erng_rt/.test(f)) return (((i * 7) % 11) / 10 - 0.5).toFixed(2);
  if (/pr(pr|ic|c)|unpr|oprc|hgpr|lwpr|clpr|askp\d|bidp\d|mxpr|llam|_prc/.test(f)) return String(p + (i % 5) * 100);
  if (/qty|vol|cnt|rsqn/.test(f)) return String(100 * (i + 1));
  if (/amt|tamt|sum/.test(f)) return String(p * 100 * (i + 1));
  if (/(^|_)(cd|code|dvsn|cls|gb|tp)$|dvsn_cd|_cls_code/.test(f)) return "00";
  if (/ctx_area|index_key|^ctx/.test(f)) return "";
  return "0";
}

/** The answer for `path`, or null when the catalogue has no such API. */
export function answer(path, method, env, trId, input, nowMs) {
  layouts ??= load();
  const layout = layouts[path];
  if (!layout) return null;
  const [wanted, real, mock, params, top, groups] = layout;
  const ids = env === "real" ? real : mock;
  if (!ids) return [500, { rt_cd: "1", msg_cd: "OPSQ0002", msg1: "모의투자에서는 해당업무가 제공되지 않습니다." }];
  if (!ids.includes(trId) || method !== wanted) return [500, { rt_cd: "1", msg_cd: "OPSQ0002", msg1: "없는 서비스 코드 입니다" }];
  const missing = params.find(([name, required]) => required && typeof input[name] !== "string");
  if (missing) return [200, { rt_cd: "1", msg_cd: "OPSQ2001", msg1: `필수항목 누락: ${missing[0]}` }];
  const symbol = ["FID_INPUT_ISCD", "PDNO", "SYMB", "SRS_CD", "FID_INPUT_ISCD_1"].map((k) => input[k]).find((s) => s) ?? "005930";
  const body = { rt_cd: "0", msg_cd: "MCA00000", msg1: "정상처리 되었습니다." };
  for (const f of top) if (!(f in body)) body[f] = value(f, 0, symbol, nowMs);
  for (const [name, array, fields] of groups) {
    const row = (i) => Object.fromEntries(fields.map((f) => [f, value(f, i, symbol, nowMs)]));
    body[name] = array ? [0, 1, 2].map(row) : row(0);
  }
  return [200, body];
}

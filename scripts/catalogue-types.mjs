// The TypeScript of every catalogued KIS REST API, generated from catalogue/kis-api.json by the
// build (scripts/assemble.mjs): for each API its parameters (KIS's names; the required ones
// required, but for what the client fills: the account and continuation keys) and its answer's
// fields as KIS groups them, each documented with KIS's Korean label. No per-API code: calls go
// through KisClient.call, and `kis.api.<name>` is one Proxy.
import fs from "node:fs";

const FILLED = (name) => name === "CANO" || name === "ACNT_PRDT_CD" || name.startsWith("CTX_AREA_");

/** A JSDoc line: no comment terminator, one line. */
const doc = (text) => text.replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim();

/** A property key as TypeScript takes it. */
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/** Fields by name, the first of each: KIS lists a few twice. */
function unique(list) {
  const seen = new Set();
  return list.filter((f) => !seen.has(f.name) && seen.add(f.name));
}

/** Groups by name, merged: a few sheets list `output2` twice, for two conditions. */
function groups(list) {
  const byName = new Map();
  for (const g of list) {
    const had = byName.get(g.name);
    if (had) byName.set(g.name, { ...had, array: had.array || g.array, exampleShape: had.exampleShape ?? g.exampleShape, fields: [...had.fields, ...g.fields] });
    else byName.set(g.name, g);
  }
  return [...byName.values()];
}

function fields(list, indent, optional) {
  return unique(list)
    .map((f) => `${indent}/** ${doc(f.label || f.name)} */\n${indent}${key(f.name)}${optional(f) ? "?" : ""}: string;`)
    .join("\n");
}

export function catalogueTypes(catalogue) {
  const out = [];
  out.push("// Generated from catalogue/kis-api.json (KIS's API workbook) by scripts/catalogue-types.mjs: do not edit.");
  out.push(`// ${catalogue.source}: ${catalogue.rest.length} REST APIs.`);
  out.push('import type { CallOptions } from "./kis_wasm.js";');
  out.push("");
  out.push("/** Parameters of each API, by KIS's names. */");
  out.push("export interface KisApiParams {");
  for (const a of catalogue.rest) {
    out.push(`  /** ${doc(a.nameKo)} — ${a.method} ${a.path} */`);
    out.push(`  ${a.name}: {`);
    out.push(fields(a.request, "    ", (f) => !f.required || FILLED(f.name)));
    out.push("  };");
  }
  out.push("}");
  out.push("");
  out.push("/** The answer's body of each API: KIS's envelope and its `output` groups. */");
  out.push("export interface KisApiBodies {");
  for (const a of catalogue.rest) {
    out.push(`  /** ${doc(a.nameKo)} */`);
    out.push(`  ${a.name}: {`);
    const groupNames = new Set(a.response.groups.map((g) => g.name));
    const top = a.response.top.filter((f) => !["rt_cd", "msg_cd", "msg1"].includes(f.name) && !groupNames.has(f.name));
    out.push("    rt_cd: string;\n    msg_cd: string;\n    msg1: string;");
    if (top.length) out.push(fields(top, "    ", () => true));
    for (const g of groups(a.response.groups)) {
      // Where KIS's layout and its own example disagree on rows or one object, either.
      const either = Boolean(g.exampleShape);
      const note = either ? ` (KIS's layout says ${g.array ? "rows" : "one object"}, its example ${g.array ? "one object" : "rows"}: either)` : "";
      out.push(`    /** ${doc(g.label || g.name)}${note} */`);
      out.push(`    ${key(g.name)}?: ${either ? "KisRowOrRows<{" : "{"}`);
      out.push(fields(g.fields, "      ", () => true));
      out.push(`    }${either ? ">" : g.array ? "[]" : ""};`);
    }
    out.push("  };");
  }
  out.push("}");
  out.push("");
  out.push("/** A group KIS's workbook shows both as one object and as rows. */");
  out.push("export type KisRowOrRows<T> = T | T[];");
  out.push("");
  out.push("/** A catalogued API's method name. */");
  out.push("export type KisApiName = keyof KisApiParams;");
  out.push("");
  out.push("/** `call()`'s answer for API `N`. */");
  out.push("export interface KisApiReply<N extends KisApiName> { status: number; trCont: string; body: KisApiBodies[N] }");
  out.push("");
  out.push("/** Each realtime TR's record: its data-frame columns, lower case, documented with KIS's label. */");
  out.push("export interface KisRealtimeRecords {");
  for (const r of catalogue.realtime) {
    const ids = [r.id, ...(r.trIds.mock ?? []).map((t) => t.id).filter((id) => id !== r.id)];
    for (const id of ids) {
      out.push(`  /** ${doc(r.nameKo)} */`);
      out.push(`  ${id}: {`);
      out.push(fields(r.columns.map((f) => ({ ...f, name: f.name.toLowerCase() })), "    ", () => false));
      out.push("    /** Columns past the catalogue's (KIS adds some), by position. */");
      out.push("    [extra: `_${number}`]: string;");
      out.push("  };");
    }
  }
  out.push("}");
  out.push("");
  out.push("/** A realtime TR ID of the catalogue. */");
  out.push("export type KisRealtimeTr = keyof KisRealtimeRecords;");
  out.push("");
  out.push("/** Every catalogued API as a method: `kis.api.domesticStockInquirePrice({ … })`. */");
  out.push("export type KisApi = {");
  for (const a of catalogue.rest) {
    const ids = a.trIds.real.map((t) => t.id).join(", ");
    const mock = a.trIds.mock ? "" : " · not in mock";
    out.push(`  /** ${doc(a.nameKo)} — ${a.method} ${a.path} (${ids}${mock}) */`);
    out.push(`  ${a.name}(params: KisApiParams["${a.name}"], options?: CallOptions): Promise<KisApiReply<"${a.name}">>;`);
  }
  out.push("};");
  out.push("");
  return out.join("\n");
}

export function readCatalogue(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** What the dashboard's API explorer searches and builds its forms from: names, path, TR IDs
 *  and each parameter's label, required flag, whether the client fills it, and the first line
 *  of KIS's note (its code values). */
export function explorerCatalogue(catalogue) {
  const firstLine = (s) => (s ?? "").split("\n")[0].slice(0, 120);
  return catalogue.rest.map((a) => ({
    name: a.name, nameKo: a.nameKo, title: a.title, menu: a.menu, method: a.method, path: a.path,
    real: a.trIds.real, mock: a.trIds.mock,
    params: a.request.map((f) => ({ name: f.name, label: f.label, required: f.required, filled: FILLED(f.name), note: firstLine(f.description) })),
  }));
}

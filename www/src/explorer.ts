import type { KisApiName, KisClient } from "kis-wasm";
import { $, cell, row } from "./dom.js";

/** An API of the package's catalogue (`kis-wasm/catalogue.json`). */
interface Api {
  name: KisApiName;
  nameKo: string;
  title: string;
  menu: string;
  method: string;
  path: string;
  real: { id: string; when?: string }[];
  mock: { id: string; when?: string }[] | null;
  /** `filled`: the client fills it (the account, continuation keys), as `call` does. */
  params: { name: string; label: string; required: boolean; filled: boolean; note: string }[];
}


/** Every KIS REST API: search by Korean or English name, path or TR ID; a form from its
 *  parameters; run it through the client (and the proxy); the answer as tables. */
export class Explorer {
  private apis: Api[] = [];
  private chosen: Api | null = null;

  constructor(private readonly client: () => KisClient | null, private readonly env: () => string) {
    const search = $<HTMLInputElement>("#api-search");
    search.addEventListener("input", () => this.list(search.value));
    $<HTMLFormElement>("#api-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.run();
    });
  }

  async load(): Promise<void> {
    this.apis = (await (await fetch("/catalogue.json")).json()) as Api[];
    $("#api-count").textContent = `${this.apis.length} APIs`;
  }

  /** The environment changed: the list's order and marks, and the chosen API's TR IDs, are the
   *  new one's (what was typed into its form stays). */
  envChanged(): void {
    this.list($<HTMLInputElement>("#api-search").value);
    if (this.chosen) $("#api-fields select[name=__trId]").replaceWith(this.trIds(this.chosen));
  }

  private list(query: string): void {
    const q = query.trim().toLowerCase();
    const found = q.length < 2 ? [] : this.apis.filter((a) =>
      [a.name, a.nameKo, a.title, a.path, ...a.real.map((t) => t.id), ...(a.mock ?? []).map((t) => t.id)].some((s) => s.toLowerCase().includes(q)),
    );
    // In the mock environment, where KIS offers 38 of its 275 APIs, those it offers come first
    // and the others say they are real only, rather than be tried and refused one by one.
    const mock = this.env() === "mock";
    const hits = mock ? [...found.filter((a) => a.mock), ...found.filter((a) => !a.mock)] : found;
    $("#api-hits").replaceChildren(...hits.slice(0, 12).map((a) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = `${a.nameKo} · ${a.name}${mock && !a.mock ? " · real only" : ""}`;
      if (mock && !a.mock) b.classList.add("elsewhere");
      b.dataset.name = a.name;
      b.addEventListener("click", () => this.choose(a));
      return b;
    }));
  }

  private choose(a: Api): void {
    this.chosen = a;
    $("#api-title").textContent = `${a.nameKo} — ${a.method} ${a.path} (${a.real.map((t) => t.id).join(", ")}${a.mock ? "" : " · not in mock"})`;
    const fields = a.params.map((p) => {
      const label = document.createElement("label");
      label.textContent = `${p.label} (${p.name})${p.required && !p.filled ? " *" : ""}`;
      label.title = p.note;
      const input = document.createElement("input");
      input.name = p.name;
      input.placeholder = p.filled ? "filled by the client" : p.note;
      // Marked, not enforced by the browser: KIS takes "" for many of its required parameters,
      // and the client checks what is missing.
      if (p.required && !p.filled) input.dataset.required = "";
      label.append(input);
      return label;
    });
    $("#api-fields").replaceChildren(...fields, this.trIds(a));
    $("#api-form").hidden = false;
    $("#api-answer").replaceChildren();
  }

  /** The API's TR IDs in this environment, to choose from when it has more than one. */
  private trIds(a: Api): HTMLSelectElement {
    const ids = this.env() === "real" ? a.real : a.mock;
    const trId = document.createElement("select");
    trId.name = "__trId";
    trId.hidden = !ids || ids.length < 2;
    for (const t of ids ?? []) trId.append(new Option(`${t.id}${t.when ? ` (${t.when})` : ""}`, t.id));
    return trId;
  }

  private async run(): Promise<void> {
    const kis = this.client();
    const a = this.chosen;
    if (!kis || !a) return;
    const form = $<HTMLFormElement>("#api-form");
    const params: Record<string, string> = {};
    for (const p of a.params) {
      const v = (form.elements.namedItem(p.name) as HTMLInputElement).value;
      if (v !== "" || (p.required && !p.filled)) params[p.name] = v;
    }
    const trId = (form.elements.namedItem("__trId") as HTMLSelectElement).value;
    const answer = $("#api-answer");
    try {
      // The form is built from the catalogue at run time: its parameters are KIS's, whatever
      // the API, which the generated types cannot know here.
      const call = kis.call as (api: string, params: Record<string, string>, options?: { trId?: string }) => Promise<{ body: Record<string, unknown> }>;
      const r = await call.call(kis, a.name, params, trId ? { trId } : undefined);
      answer.replaceChildren(...Object.entries(r.body).map(([k, v]) => table(k, v)));
      answer.dataset.api = a.name;
    } catch (e) {
      answer.textContent = e instanceof Error ? e.message : String(e);
    }
  }
}

/** A group of the answer: rows as a table, an object as key/value rows, a scalar as one row. */
function table(key: string, value: unknown): HTMLElement {
  const box = document.createElement("div");
  const h = document.createElement("h3");
  h.textContent = key;
  const t = document.createElement("table");
  t.dataset.group = key;
  const rows = Array.isArray(value) ? value as Record<string, string>[] : null;
  if (rows) {
    const cols = Object.keys(rows[0] ?? {});
    t.append(row(cols.map((c) => cell(c))), ...rows.map((r) => row(cols.map((c) => cell(String(r[c] ?? ""))))));
  } else if (value && typeof value === "object") {
    t.append(...Object.entries(value).map(([k, v]) => row([cell(k), cell(String(v))])));
  } else {
    t.append(row([cell(String(value))]));
  }
  box.append(h, t);
  return box;
}

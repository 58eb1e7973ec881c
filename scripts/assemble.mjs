// Joins wasm-pack's two builds in pkg/ into one package: the entries and shared JS from
// pkg-templates/, the hand-written part of the types beside the generated ones, and the tools.
// Prints the browser build's size.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { catalogueTypes, explorerCatalogue, readCatalogue } from "./catalogue-types.mjs";
import { compact as compactCatalogue } from "../tools/kis-mock/catalogue.mjs";
import { readJson, withCoverage } from "./coverage-table.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const tpl = (p) => path.join(root, "pkg-templates", p);
const out = (p) => path.join(root, "pkg", p);
const esbuild = (args) => execFileSync(path.join(root, "node_modules/.bin/esbuild"), [...args, "--log-level=warning"]);

// The README's coverage table, from the catalogue and the order books (unchanged unless they are).
const readme = path.join(root, "README.md");
const books = readJson(path.join(root, "catalogue/order-books.json"));
const current = fs.readFileSync(readme, "utf8");
const updated = withCoverage(current, readJson(path.join(root, "catalogue/kis-api.json")), books);
if (updated !== current) fs.writeFileSync(readme, updated);

fs.copyFileSync(tpl("package.json"), out("package.json"));
for (const f of ["README.md", "LICENSE"]) if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), out(f));
fs.writeFileSync(out("node/package.json"), '{ "type": "commonjs" }\n');
fs.writeFileSync(out("web/package.json"), '{ "type": "module" }\n');
for (const f of ["index.cjs", "index.mjs"]) fs.copyFileSync(tpl(`node/${f}`), out(`node/${f}`));

// The JS both entries share is written once, as ESM; esbuild writes Node's CommonJS copy.
esbuild([tpl("shared.mjs"), "--format=cjs", "--target=node18", `--outfile=${out("node/shared.cjs")}`]);
// The browser's files are minified, as a bundler would; Node's stay readable, for stack traces.
esbuild([tpl("shared.mjs"), "--minify", "--format=esm", "--target=es2022", `--outfile=${out("web/shared.js")}`]);
esbuild([tpl("web/index.js"), "--minify", "--format=esm", "--target=es2022", `--outfile=${out("web/index.js")}`]);
esbuild([out("web/kis_wasm.js"), "--minify", "--format=esm", "--target=es2022", `--outfile=${out("web/kis_wasm.js")}`, "--allow-overwrite"]);

// The catalogue's types, generated from catalogue/kis-api.json, beside both builds.
const catalogue = readCatalogue(path.join(root, "catalogue/kis-api.json"));
const apiTypes = catalogueTypes(catalogue);
for (const dir of ["web", "node"]) fs.writeFileSync(out(`${dir}/catalogue.d.ts`), apiTypes);
// The APIs as data for tools such as the dashboard's explorer (`kis-wasm/catalogue.json`).
fs.writeFileSync(out("catalogue.json"), JSON.stringify(explorerCatalogue(catalogue)));

const dts = fs.readFileSync(tpl("index.d.ts"), "utf8");
fs.writeFileSync(out("web/index.d.ts"), dts);
fs.writeFileSync(out("node/index.d.ts"), dts + fs.readFileSync(tpl("node/extra.d.ts"), "utf8"));

// The Node tools (mock KIS server, CORS proxy) ship as the package's bins.
// (Not the catalogue converter: a Rust crate of the repository, not of the package.) kis-mock
// answers every catalogued API from a compact copy of the catalogue's layouts.
fs.cpSync(path.join(root, "tools"), out("tools"), { recursive: true, filter: (src) => !src.includes("kis-catalogue") });
fs.writeFileSync(out("tools/kis-mock/catalogue.json"), JSON.stringify(compactCatalogue(catalogue)));
// Its order books (books.mjs): the client's own data on which list shows which orders.
fs.copyFileSync(path.join(root, "catalogue/order-books.json"), out("tools/kis-mock/order-books.json"));

const gz = (f) => zlib.gzipSync(fs.readFileSync(out(f)), { level: 9 }).length;
const wasm = gz("web/kis_wasm_bg.wasm");
const glue = gz("web/kis_wasm.js") + gz("web/index.js") + gz("web/shared.js");
const sizes = { wasmGzipBytes: wasm, glueGzipBytes: glue, totalGzipBytes: wasm + glue };
fs.writeFileSync(out("sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
console.log(`browser build, gzip -9: wasm ${wasm} B + glue ${glue} B = ${wasm + glue} B`);
// The endpoint table as build.rs wrote it for this build (its newest OUT_DIR).
const builds = path.join(root, "target/wasm32-unknown-unknown/release/build");
const table = fs.readdirSync(builds)
  .filter((d) => d.startsWith("kis-wasm-") && fs.existsSync(path.join(builds, d, "out/endpoints.txt")))
  .map((d) => path.join(builds, d, "out/endpoints.txt"))
  .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
if (table) {
  const bytes = zlib.gzipSync(fs.readFileSync(table), { level: 9 }).length;
  console.log(`  of which the catalogue's endpoint table (${catalogue.rest.length} APIs): ${bytes} B gzip; its fields are types only`);
}

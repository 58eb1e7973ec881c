// Copies pkg-templates/ into pkg/ around the wasm-bindgen output and prints the browser size.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const tpl = (p) => path.join(root, "pkg-templates", p);
const out = (p) => path.join(root, "pkg", p);

fs.copyFileSync(tpl("package.json"), out("package.json"));
fs.writeFileSync(out("node/package.json"), '{ "type": "commonjs" }\n');
fs.writeFileSync(out("web/package.json"), '{ "type": "module" }\n');
for (const f of ["index.cjs", "index.mjs"]) fs.copyFileSync(tpl(`node/${f}`), out(`node/${f}`));
fs.copyFileSync(tpl("web/index.js"), out("web/index.js"));

// shared.mjs is written once, as ESM; Node's entry gets a CommonJS copy.
const shared = fs.readFileSync(tpl("shared.mjs"), "utf8");
fs.writeFileSync(out("web/shared.js"), shared);
const names = [...shared.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]);
const cjs = `"use strict";\n${shared.replace(/^export (class|function) /gm, "$1 ")}\nmodule.exports = { ${names.join(", ")} };\n`;
fs.writeFileSync(out("node/shared.cjs"), cjs);

// wasm-bindgen writes inline_js snippets as ES modules; Node's CommonJS glue require()s them.
const snippets = (dir) =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".js")).map((f) => path.join(dir, f)) : [];
for (const f of snippets(out("node/snippets"))) {
  const src = fs.readFileSync(f, "utf8");
  if (src.startsWith('"use strict"')) continue; // converted by an earlier run
  const exported = [...src.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1]);
  if (/^export (?!(async )?function )/m.test(src)) throw new Error(`${f}: only exported functions can be converted`);
  fs.writeFileSync(f, `"use strict";\n${src.replace(/^export (async )?function /gm, "$1function ")}\nmodule.exports = { ${exported.join(", ")} };\n`);
}

const dts = fs.readFileSync(tpl("index.d.ts"), "utf8");
fs.writeFileSync(out("web/index.d.ts"), dts);
fs.writeFileSync(out("node/index.d.ts"), dts + fs.readFileSync(tpl("node/extra.d.ts"), "utf8"));

// The Node tools (mock KIS server, CORS proxy) ship as the package's bins.
fs.cpSync(path.join(root, "tools"), out("tools"), { recursive: true });

const gz = (f) => zlib.gzipSync(fs.readFileSync(out(f)), { level: 9 }).length;
const wasm = gz("web/kis_wasm_bg.wasm");
const glue = ["web/kis_wasm.js", "web/index.js", "web/shared.js", ...snippets(out("web/snippets")).map((f) => path.relative(out(""), f))]
  .reduce((sum, f) => sum + gz(f), 0);
const sizes = { wasmGzipBytes: wasm, glueGzipBytes: glue, totalGzipBytes: wasm + glue };
fs.writeFileSync(out("sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
console.log(`browser build, gzip -9: wasm ${wasm} B + glue ${glue} B = ${wasm + glue} B`);

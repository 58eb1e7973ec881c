// Copies pkg-templates/ into pkg/ beside the built wasm and prints the browser build's size.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const tpl = (p) => path.join(root, "pkg-templates", p);
const out = (p) => path.join(root, "pkg", p);

fs.copyFileSync(tpl("package.json"), out("package.json"));
fs.writeFileSync(out("node/package.json"), '{ "type": "commonjs" }\n');
fs.writeFileSync(out("web/package.json"), '{ "type": "module" }\n');
for (const f of ["index.cjs", "index.mjs"]) fs.copyFileSync(tpl(`node/${f}`), out(`node/${f}`));
fs.copyFileSync(tpl("web/index.js"), out("web/index.js"));

/** An ES module's top-level `export`s of functions and classes, removed: its plain code and the
 *  names it exported. Anything else it exports or imports cannot be converted this way. */
function unexport(src, file) {
  if (/^(import |export (?!(async )?(function|class) ))/m.test(src)) throw new Error(`${file}: only exported functions and classes can be converted`);
  const names = [...src.matchAll(/^export (?:async )?(?:function|class) (\w+)/gm)].map((m) => m[1]);
  return { code: src.replace(/^export ((?:async )?(?:function|class) )/gm, "$1"), names };
}

/** Whole-line comments out: they are for the source's readers (the .d.ts documents the API), and
 *  they were a fifth of the glue's gzip size. */
const uncomment = (src) => src.replace(/^[ \t]*\/\/.*\n/gm, "").replace(/^[ \t]*\/\*\*[\s\S]*?\*\/\n/gm, "");

// The shared module and the glue are written once, as ESM; Node's entry gets CommonJS copies.
for (const [name, web, node] of [["shared", "shared.js", "shared.cjs"], ["glue", "glue.js", "glue.cjs"]]) {
  const src = uncomment(fs.readFileSync(tpl(`${name}.mjs`), "utf8"));
  fs.writeFileSync(out(`web/${web}`), src);
  const cjs = unexport(src, `${name}.mjs`);
  fs.writeFileSync(out(`node/${node}`), `"use strict";\n${cjs.code}\nmodule.exports = { ${cjs.names.join(", ")} };\n`);
}

// The browser's copies are minified (esbuild, a dev dependency): 0.9 KB less gzip than the
// source with its comments stripped. Node's stay readable, for stack traces.
for (const f of ["glue.js", "index.js", "shared.js"]) {
  execFileSync(path.join(root, "node_modules/.bin/esbuild"), [out(`web/${f}`), "--minify", "--format=esm", "--target=es2022", `--outfile=${out(`web/${f}`)}`, "--allow-overwrite", "--log-level=warning"]);
}

const dts = fs.readFileSync(tpl("index.d.ts"), "utf8");
for (const t of ["node", "web"]) fs.copyFileSync(tpl("kis.d.ts"), out(`${t}/kis.d.ts`));
fs.writeFileSync(out("web/index.d.ts"), dts);
fs.writeFileSync(out("node/index.d.ts"), dts + fs.readFileSync(tpl("node/extra.d.ts"), "utf8"));

// The Node tools (mock KIS server, CORS proxy) ship as the package's bins.
fs.cpSync(path.join(root, "tools"), out("tools"), { recursive: true });

const gz = (f) => zlib.gzipSync(fs.readFileSync(out(f)), { level: 9 }).length;
const wasm = gz("web/kis_wasm.wasm");
const glue = gz("web/glue.js") + gz("web/index.js") + gz("web/shared.js");
const sizes = { wasmGzipBytes: wasm, glueGzipBytes: glue, totalGzipBytes: wasm + glue };
fs.writeFileSync(out("sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
console.log(`browser build, gzip -9: wasm ${wasm} B + glue ${glue} B = ${wasm + glue} B`);

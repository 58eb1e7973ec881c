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

/** An ES module's top-level `export`s of functions and classes, removed: its plain code and the
 *  names it exported. Anything else it exports or imports cannot be converted this way. */
function unexport(src, file) {
  if (/^(import |export (?!(async )?(function|class) ))/m.test(src)) throw new Error(`${file}: only exported functions and classes can be converted`);
  const names = [...src.matchAll(/^export (?:async )?(?:function|class) (\w+)/gm)].map((m) => m[1]);
  return { code: src.replace(/^export ((?:async )?(?:function|class) )/gm, "$1"), names };
}

// shared.mjs is written once, as ESM; Node's entry gets a CommonJS copy.
const shared = fs.readFileSync(tpl("shared.mjs"), "utf8");
fs.writeFileSync(out("web/shared.js"), shared);
const cjs = unexport(shared, "shared.mjs");
fs.writeFileSync(out("node/shared.cjs"), `"use strict";\n${cjs.code}\nmodule.exports = { ${cjs.names.join(", ")} };\n`);

// wasm-bindgen puts inline_js in snippet files the glue imports: one more module to resolve and
// load at start-up (about a millisecond in Node) and one more request in a browser. Their
// exported functions are pasted into the glue instead, once each, and the snippet files dropped.
// The glue imports a snippet by name where it wraps the function, and as a namespace where the
// wasm imports it directly; the namespace becomes an object of the pasted functions.
for (const target of ["node", "web"]) {
  const gluePath = out(`${target}/kis_wasm.js`);
  let glue = fs.readFileSync(gluePath, "utf8");
  const snippets = new Map();
  const load = (file) => {
    if (!snippets.has(file)) snippets.set(file, unexport(fs.readFileSync(out(`${target}/${file}`), "utf8"), file));
    return snippets.get(file);
  };
  const pasted = new Set();
  const paste = (file) => {
    if (pasted.has(file)) return "";
    pasted.add(file);
    return `${load(file).code.trim()}\n`;
  };
  const namedImport = /^(?:import \{ ([\w, ]+) \} from '(\.\/snippets\/[^']+)';|const \{ ([\w, ]+) \} = require\(String\.raw`(\.\/snippets\/[^`]+)`\);)\n/gm;
  glue = glue.replace(namedImport, (_, esNames, esPath, cjsNames, cjsPath) => {
    const file = esPath ?? cjsPath;
    for (const n of (esNames ?? cjsNames).split(",").map((n) => n.trim())) {
      if (!load(file).names.includes(n)) throw new Error(`${n} is not defined in ${file}`);
    }
    return paste(file);
  });
  const namespaceImport = /^(?:import \* as (\w+) from "(\.\/snippets\/[^"]+)";?|const (\w+) = require\("(\.\/snippets\/[^"]+)"\);)\n/gm;
  glue = glue.replace(namespaceImport, (_, esVar, esPath, cjsVar, cjsPath) => {
    const file = esPath ?? cjsPath;
    return `${paste(file)}const ${esVar ?? cjsVar} = { ${load(file).names.join(", ")} };\n`;
  });
  // (The wasm's import module names keep the snippet paths; only loading them must go.)
  if (/(from |require\(|String\.raw`)["'`]?\.\/snippets\//.test(glue)) throw new Error(`${gluePath} still imports a snippet`);
  fs.writeFileSync(gluePath, glue);
  fs.rmSync(out(`${target}/snippets`), { recursive: true, force: true });
}

const dts = fs.readFileSync(tpl("index.d.ts"), "utf8");
fs.writeFileSync(out("web/index.d.ts"), dts);
fs.writeFileSync(out("node/index.d.ts"), dts + fs.readFileSync(tpl("node/extra.d.ts"), "utf8"));

// The Node tools (mock KIS server, CORS proxy) ship as the package's bins.
fs.cpSync(path.join(root, "tools"), out("tools"), { recursive: true });

const gz = (f) => zlib.gzipSync(fs.readFileSync(out(f)), { level: 9 }).length;
const wasm = gz("web/kis_wasm_bg.wasm");
const glue = gz("web/kis_wasm.js") + gz("web/index.js") + gz("web/shared.js");
const sizes = { wasmGzipBytes: wasm, glueGzipBytes: glue, totalGzipBytes: wasm + glue };
fs.writeFileSync(out("sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
console.log(`browser build, gzip -9: wasm ${wasm} B + glue ${glue} B = ${wasm + glue} B`);

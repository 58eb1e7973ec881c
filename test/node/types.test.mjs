// The package's types under the settings people use, from the packed tarball as a user installs
// it, never with skipLibCheck: Node's `module nodenext`, a bundler's `moduleResolution bundler`
// (Vite), and a fresh `tsc --init`, each with TypeScript 7 and with TypeScript 5 (whose
// `--init` targets es2016, where `Symbol.dispose` does not exist).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const COMPILERS = {
  "TS 7": path.join(root, "node_modules/typescript/bin/tsc"),
  "TS 5": path.join(root, "node_modules/typescript5/bin/tsc"),
};

/** In Node, ESM with top-level await: what the README's quick start is. */
const NODE_ESM = `
import { KisClient, isKisError, fileTokenStore, type Quote, type KisEvent } from "kis-wasm";
const events: KisEvent[] = [];
const kis = new KisClient({ appKey: "k", appSecret: "s", env: "mock", tokenStore: fileTokenStore(".kis-token.json"), onEvent: (e) => events.push(e) });
const q: Quote = await kis.getPrice("005930");
const price: number | null = q.price;
try {
  const ack = await kis.buy({ symbol: "005930", quantity: 1, price: 70000 });
  console.log(ack.orderNo, price);
} catch (e) {
  if (isKisError(e)) console.error(e.kind, e.msgCd, e.field);
}
// @ts-expect-error quantity is a number
await kis.sell({ symbol: "005930", quantity: "1" });
`;

/** In Node, CommonJS output (TypeScript 5's --init): no top-level await. */
const NODE_CJS = `
import { KisClient, isKisError, fileTokenStore } from "kis-wasm";
async function main(): Promise<void> {
  const kis = new KisClient({ appKey: "k", appSecret: "s", env: "mock", tokenStore: fileTokenStore(".kis-token.json") });
  const q = await kis.getPrice("005930");
  const price: number | null = q.price;
  try {
    await kis.buy({ symbol: "005930", quantity: 1 });
  } catch (e) {
    if (isKisError(e)) console.error(e.kind, price);
  }
}
void main();
`;

/** In a browser, through a bundler: the browser types, which have no file store. */
const BROWSER = `
import * as kisWasm from "kis-wasm";
import { KisClient, localStorageTokenStore, type Balance } from "kis-wasm";
const kis = new KisClient({ env: "mock", baseUrl: "http://127.0.0.1:8787", tokenStore: localStorageTokenStore() });
const balance: Balance = await kis.getBalance();
document.title = String(balance.summary.totalEval);
// @ts-expect-error the browser build has no fileTokenStore
void kisWasm.fileTokenStore;
`;

const PRESETS = [
  {
    name: "module nodenext (Node, ESM)",
    pkg: { type: "module" },
    tsconfig: { compilerOptions: { module: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] } },
    file: ["index.ts", NODE_ESM],
  },
  {
    name: "moduleResolution bundler (Vite)",
    pkg: { type: "module" },
    tsconfig: { compilerOptions: { module: "esnext", moduleResolution: "bundler", target: "es2022", lib: ["es2022", "dom"], strict: true, noEmit: true, skipLibCheck: false, types: [] } },
    file: ["main.ts", BROWSER],
  },
  {
    // Since 5.9, --init writes module nodenext with verbatimModuleSyntax: an ESM project.
    name: "a fresh tsc --init",
    init: true,
    pkg: { type: "module" },
    file: ["index.ts", NODE_ESM],
  },
  {
    // What --init wrote before 5.9, still in many projects: CommonJS, target es2016.
    name: "the CommonJS --init of TypeScript 5.8 and before (target es2016)",
    pkg: {},
    tsconfig: { compilerOptions: { target: "es2016", module: "commonjs", esModuleInterop: true, forceConsistentCasingInFileNames: true, strict: true, noEmit: true, skipLibCheck: false } },
    file: ["index.ts", NODE_CJS],
  },
];

let work;
let tarball;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kis-types-"));
  const pkgDir = path.dirname(require.resolve("kis-wasm/package.json"));
  const name = execFileSync("npm", ["pack", pkgDir, "--pack-destination", work, "--silent"], { encoding: "utf8" }).trim().split("\n").pop();
  tarball = path.join(work, name);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test("the tarball holds the README, the LICENSE and both builds", () => {
  const list = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" });
  for (const f of ["package/README.md", "package/LICENSE", "package/node/index.d.ts", "package/web/index.d.ts", "package/web/kis_wasm_bg.wasm"]) {
    assert.ok(list.includes(f), `${f} is in the tarball`);
  }
});

for (const preset of PRESETS) {
  for (const [compiler, tsc] of Object.entries(COMPILERS)) {
    test(`types check under ${preset.name}, ${compiler}, without skipLibCheck`, { timeout: 120_000 }, () => {
      const dir = fs.mkdtempSync(path.join(work, "user-"));
      const pick = (v) => (v && (v[compiler] !== undefined) ? v[compiler] : v);
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user", private: true, ...pick(preset.pkg) }));
      // --prefer-offline: the package depends on ws (kis-mock's socket), which npm takes from its
      // cache when it has it.
      execFileSync("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--silent"], { cwd: dir });
      // A Node user has Node's types, as from `npm i -D @types/node`.
      for (const dep of ["@types", "undici-types"]) fs.cpSync(path.join(root, "node_modules", dep), path.join(dir, "node_modules", dep), { recursive: true });
      if (preset.init) execFileSync(process.execPath, [tsc, "--init"], { cwd: dir });
      else fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(preset.tsconfig));
      const [file, source] = pick(preset.file);
      fs.writeFileSync(path.join(dir, file), source);
      const run = spawnSync(process.execPath, [tsc, "-p", ".", "--noEmit", "--skipLibCheck", "false"], { cwd: dir, encoding: "utf8" });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    });
  }
}

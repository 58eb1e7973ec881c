// The package in a Vite app, as a user installs it: imported by its name from node_modules,
// built by `vite build` and served by `vite preview`, and served by Vite's dev server; the page
// makes a client at once and gets a quote through kis-cors-proxy from kis-mock, in headless
// Chromium. Vite 8 as it comes; Vite 5 with the `vite.config.ts` the README gives for Vite 5 to
// 7, read from the README (without it, Vite 5 and 6 fail to build the package's top-level await,
// and Vite 5 to 7 serve its wasm from where it is not).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../chromium.mjs";
import { startMockKis } from "kis-wasm/mock";
import { startCorsProxy } from "kis-wasm/proxy";

const root = path.resolve(import.meta.dirname, "../..");
const template = path.join(import.meta.dirname, "vite-app");
const VITES = { 8: path.join(root, "node_modules/vite/bin/vite.js"), 5: path.join(root, "node_modules/vite5/bin/vite.js") };

let mock, browser;
let pages = 0;
const apps = [];
before(async () => {
  mock = await startMockKis({ port: 0 });
  browser = await chromium.launch(CHROMIUM);
});
after(async () => {
  await browser?.close();
  await mock?.close();
  for (const dir of apps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A Vite app of its own: the template, its config when asked for, and the built package copied
 *  into its node_modules as npm would install it (a folder, not a link: Vite treats a linked
 *  package as the app's own source and would not prepare it as a dependency). */
function app(withConfig) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kis-vite-"));
  apps.push(dir);
  for (const f of ["index.html", "main.js"]) fs.copyFileSync(path.join(template, f), path.join(dir, f));
  if (withConfig) fs.writeFileSync(path.join(dir, "vite.config.ts"), readmeConfig());
  fs.cpSync(path.join(root, "pkg"), path.join(dir, "node_modules/kis-wasm"), { recursive: true, dereference: true });
  return dir;
}

/** The `vite.config.ts` the README gives, as it stands there. */
function readmeConfig() {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const config = readme.match(/in `vite\.config\.ts`[^\n]*\n\n```ts\n([\s\S]*?)^```/m)?.[1];
  assert.ok(config?.includes("export default"), "the README gives a vite.config.ts");
  return config;
}

// Vite colours its output whenever CI is set (as in .ci/run), a port number included.
const plain = { ...process.env, NO_COLOR: "1" };
const ANSI = /\x1b\[[0-9;]*m/g;

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs Vite to its end (a build), failing with what it printed. */
function build(vite, dir) {
  return new Promise((resolve, reject) => {
    let said = "";
    const p = spawn(process.execPath, [vite, "build"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: plain });
    p.stdout.on("data", (d) => (said += d));
    p.stderr.on("data", (d) => (said += d));
    p.on("close", (code) => (code === 0 ? resolve(said) : reject(new Error(`vite build exited ${code}:\n${said}`))));
  });
}

/** A Vite server (`dev` or `preview`) on 127.0.0.1, once it says it listens; `stop()` ends it. */
async function serve(vite, dir, mode) {
  const port = await freePort();
  const args = [vite, ...(mode === "preview" ? ["preview"] : []), "--host", "127.0.0.1", "--port", String(port), "--strictPort"];
  const p = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: plain });
  let said = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite ${mode} did not start:\n${said}`)), 20_000);
    const heard = (d) => {
      said += d;
      if (said.replace(ANSI, "").includes(`:${port}/`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    p.stdout.on("data", heard);
    p.stderr.on("data", (d) => (said += d));
    p.on("close", (code) => reject(new Error(`vite ${mode} exited ${code}:\n${said}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, said: () => said, stop: () => p.kill() };
}

/** What the app's page shows once its quote came (or failed), through a proxy for its origin. */
async function quoteIn(server) {
  const proxy = await startCorsProxy({ upstream: mock.url, allowOrigins: [server.origin], log: () => {} });
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    pages += 1;
    await page.goto(`${server.origin}/?proxy=${encodeURIComponent(proxy.url)}&key=page${pages}`);
    await page.waitForFunction(() => document.querySelector("#out")?.textContent !== "loading", null, { timeout: 20_000 });
    return { shown: await page.textContent("#out"), errors };
  } finally {
    await page.close();
    await proxy.close();
  }
}

for (const [version, withConfig] of [[8, false], [5, true]]) {
  const how = withConfig ? "with the README's configuration" : "as it comes";
  test(`Vite ${version}, ${how}: a built app makes a client at once and gets a quote`, async () => {
    const dir = app(withConfig);
    await build(VITES[version], dir);
    const assets = fs.readdirSync(path.join(dir, "dist/assets"));
    assert.ok(assets.some((f) => f.endsWith(".wasm")), `the wasm is one of the app's assets: ${assets}`);
    const server = await serve(VITES[version], dir, "preview");
    try {
      const { shown, errors } = await quoteIn(server);
      assert.match(shown, /^price [1-9]\d*$/, `${shown}\n${errors.join("\n")}`);
      assert.deepEqual(errors, []);
    } finally {
      server.stop();
    }
  });

  test(`Vite ${version}, ${how}: the dev server serves the package and its wasm`, async () => {
    const dir = app(withConfig);
    const server = await serve(VITES[version], dir, "dev");
    try {
      const { shown, errors } = await quoteIn(server);
      assert.match(shown, /^price [1-9]\d*$/, `${shown}\n${errors.join("\n")}\n${server.said()}`);
      assert.deepEqual(errors, []);
    } finally {
      server.stop();
    }
  });
}

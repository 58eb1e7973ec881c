// The demo's own configuration: the proxy holds the keys and the page connects by itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { startStack } from "../../www/stack.mjs";

test("the demo connects on its own, with no keys in the page", async () => {
  const stack = await startStack({ port: 0 });
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "kis-demo-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(stack.url);
    await page.waitForSelector('#watch-rows tr[data-symbol="005930"][data-price="71000"]', { timeout: 15000 });
    await page.waitForSelector('#holding-rows tr[data-symbol="005930"]', { timeout: 15000 });
    assert.equal(await page.isVisible("#held-note"), true);
    assert.equal(await page.isDisabled("#settings [name=appKey]"), true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await stack.close();
  }
});

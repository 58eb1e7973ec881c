// The README's demo command as a user runs it a second time: with the package and the
// dashboard built from today's sources (the test command built them), `scripts/demo.sh` serves
// the dashboard without building again. (That it builds on a fresh clone is what CI's run of the
// test command shows; a build here would race the other tests over pkg/.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

test("scripts/demo.sh on an up-to-date build serves the dashboard without building again", { timeout: 60_000 }, async () => {
  // Sources edited since the last build: say so rather than let demo.sh rebuild pkg/ under the
  // other tests.
  const check = await new Promise((resolve) =>
    execFile("bash", ["scripts/demo.sh", "--check"], { cwd: root }, (e, stdout) => resolve({ code: e?.code ?? 0, stdout })),
  );
  assert.equal(check.code, 0, `${check.stdout}(run bash scripts/build.sh, as the test command does first)`);
  const demo = spawn("bash", ["scripts/demo.sh"], { cwd: root, env: { ...process.env, PORT: "0" }, detached: true });
  let out = "";
  demo.stdout.on("data", (d) => (out += d));
  demo.stderr.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => demo.on("exit", resolve));
  try {
    const url = await new Promise((resolve, reject) => {
      const look = setInterval(() => {
        const m = /KIS dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
        if (m || demo.exitCode !== null) clearInterval(look);
        if (!m && demo.exitCode !== null) reject(new Error(`demo.sh ended: ${out}`));
      }, 50);
    });
    assert.match(out, /^pkg\/ and the dashboard are up to date/, out);
    assert.doesNotMatch(out, /browser build, gzip/, "built again");
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /KIS dashboard/);
  } finally {
    process.kill(-demo.pid, "SIGTERM");
    await exited;
  }
});

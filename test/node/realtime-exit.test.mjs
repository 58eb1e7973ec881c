// A realtime connection closed by its caller leaves nothing behind that keeps Node running: the
// wait before a reconnect (up to 30 s) ends with close(). Watched in a process of its own (this
// file, started again with EXIT_SCENARIO set), whose only timers are the package's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const thisFile = fileURLToPath(import.meta.url);

if (!process.env.EXIT_SCENARIO) {
  test("realtime: close() during the wait before a reconnect clears its timer, so Node can exit at once", () => {
    const child = spawnSync(process.execPath, [thisFile], { env: { ...process.env, EXIT_SCENARIO: "1" }, encoding: "utf8", timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    const report = JSON.parse(child.stdout.split("\n").find((l) => l.startsWith("{")));
    assert.ok(report.timersWhileWaiting >= 1, "a reconnect was being waited for");
    assert.deepEqual(report.afterClose, [], "no timer, socket or server left");
  });
} else {
  const { WebSocket } = await import("ws");
  const { KisClient } = await import("kis-wasm");
  const { scriptedSocket, taken } = await import("./scripted-socket.mjs");
  // A server that takes each subscription and then drops the connection.
  const server = await scriptedSocket((conn, { tr_id, tr_key }) => {
    conn.send(taken(tr_id, tr_key));
    conn.close();
  });
  const fetch = async () => ({ status: 200, headers: { get: () => null }, text: async () => JSON.stringify({ approval_key: "fake-approval-key" }) });
  const kis = new KisClient({ appKey: "PSnodeAppKey0123456789abcdefghijklm", appSecret: "nodeSecret/0123456789+abcdefghijklmnopqrstuvwxyz==", env: "mock", baseUrl: "http://kis.test", logger: null, fetch });
  const rt = kis.realtime({ WebSocket, url: server.url });
  const states = [];
  rt.onState((s) => states.push(s));
  await rt.trades("005930", () => {});
  while (!states.includes("reconnecting")) await new Promise((r) => setImmediate(r));
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout");
  const timersWhileWaiting = timers().length;
  rt.close();
  await server.close();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  const afterClose = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap" && r !== "PipeWrap");
  console.log(JSON.stringify({ timersWhileWaiting, afterClose }));
}

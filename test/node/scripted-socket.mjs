// A realtime server on 127.0.0.1 that does what a test scripts, for what kis-mock will not do:
// frames too large, connections dropped at once, subscriptions never answered.
import { WebSocketServer } from "ws";

/** KIS's answer that it took the subscription of `tr_id` for `tr_key`. */
export function taken(tr_id, tr_key) {
  return JSON.stringify({ header: { tr_id, tr_key, encrypt: "N" }, body: { rt_cd: "0", msg_cd: "OPSP0000", msg1: "SUBSCRIBE SUCCESS" } });
}

/** Calls `onSubscribe(conn, { tr_id, tr_key })` for each request a client sends (its PINGPONG
 *  echoes are not); counts connections. */
/** KIS's keep-alive, which a client sends back. */
export const PINGPONG = JSON.stringify({ header: { tr_id: "PINGPONG", datetime: "20261204093015" } });

export async function scriptedSocket(onSubscribe) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.on("listening", r));
  let connections = 0;
  server.on("connection", (conn) => {
    connections += 1;
    conn.on("message", (m) => {
      const frame = JSON.parse(String(m));
      if (frame.header?.tr_id !== "PINGPONG") onSubscribe(conn, frame.body.input);
    });
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    connections: () => connections,
    close: () => new Promise((r) => server.close(r)),
  };
}

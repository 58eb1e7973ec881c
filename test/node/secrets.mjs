export const APP_KEY = "PSnodeAppKey0123456789abcdefghijklm";
export const APP_SECRET = "nodeSecret/0123456789+abcdefghijklmnopqrstuvwxyz==";

/** Fails when any secret, or any token the server handed out, appears in `text`. */
export function assertNoSecrets(assert, text) {
  assert.ok(!text.includes(APP_KEY), "app key leaked");
  assert.ok(!text.includes(APP_SECRET), "app secret leaked");
  assert.ok(!/tiny-token-|fake-token-/.test(text), "token leaked");
}

/** Captures a client's events and log lines. */
export function capture() {
  const events = [];
  const lines = [];
  return {
    events,
    lines,
    onEvent: (e) => events.push(e),
    logger: { warn: (...a) => lines.push(["warn", ...a].join(" ")), error: (...a) => lines.push(["error", ...a].join(" ")) },
    text: () => JSON.stringify(events) + "\n" + lines.join("\n"),
  };
}

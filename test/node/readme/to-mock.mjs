// Preloaded (`node --import`) into a process that runs the README's examples as they stand:
// KIS's mock hosts, which they name by default, are pointed at kis-mock on loopback. The
// examples' own text is not changed.
import { register } from "node:module";

const KIS_REST = "https://openapivts.koreainvestment.com:29443";
const fetch = globalThis.fetch;
globalThis.fetch = (url, init) => fetch(String(url).replace(KIS_REST, process.env.MOCK_URL), init);

// The examples' `import { WebSocket } from "ws"` gets ws-to-mock.mjs's class instead.
register("./hooks.mjs", import.meta.url);

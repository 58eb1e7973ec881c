// The dashboard's static server: www/ itself, the package's browser build under /pkg/web/, the
// chart library under /vendor/, and /config.json from whoever started it. Node, no dependencies.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { listen } from "../tools/listen.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };

/** URL prefix → folder; nothing outside these is served. */
const MOUNTS = [
  ["/pkg/web/", path.join(root, "pkg/web")],
  ["/app/", path.join(root, "www/app")],
  ["/", path.join(root, "www")],
];
const FILES = {
  "/": path.join(root, "www/index.html"),
  "/catalogue.json": path.join(root, "pkg/catalogue.json"),
  "/vendor/lightweight-charts.mjs": path.join(root, "node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.mjs"),
};

function resolve(urlPath) {
  if (FILES[urlPath]) return FILES[urlPath];
  for (const [prefix, dir] of MOUNTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const file = path.resolve(dir, "." + urlPath.slice(prefix.length - 1));
    return file.startsWith(dir + path.sep) && !file.endsWith(".ts") && !file.endsWith("serve.mjs") && !file.endsWith("stack.mjs") ? file : null;
  }
  return null;
}

export async function startDashboardServer({ port = 0, config = {} } = {}) {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (urlPath === "/config.json") {
      res.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
      return res.end(JSON.stringify(config));
    }
    const file = resolve(urlPath);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found");
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    fs.createReadStream(file).pipe(res);
  });
  const listening = await listen(server, port);
  return { ...listening, setConfig: (c) => Object.assign(config, c) };
}

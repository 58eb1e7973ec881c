// The dashboard's static server: www/ itself, the package's browser build under /pkg/web/, the
// chart library under /vendor/, and /config.json from whoever started it. Node, no dependencies.
import crypto from "node:crypto";
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

/**
 * The page holds the app key and secret unless the proxy holds them, and places orders: scripts
 * run only from this server and as the inline ones index.html has (its import map, by hash), so
 * that text that found its way into the page could not run; the page may not be framed by
 * another site (clicks on its buttons through a frame). It connects wherever its Proxy URL
 * says, so connections are not narrowed. Wasm compiles under 'wasm-unsafe-eval'; the chart
 * library adds a <style> of its own, hence inline styles.
 */
function contentSecurityPolicy() {
  const html = fs.readFileSync(FILES["/"], "utf8");
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => `'sha256-${crypto.createHash("sha256").update(m[1]).digest("base64")}'`);
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${inline.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self' http: https: ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function startDashboardServer({ port = 0, config = {} } = {}) {
  const csp = contentSecurityPolicy();
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
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
      ...(file === FILES["/"] ? { "content-security-policy": csp } : {}),
    });
    fs.createReadStream(file).pipe(res);
  });
  const listening = await listen(server, port);
  return { ...listening, setConfig: (c) => Object.assign(config, c) };
}

// A static file server for the demo site (and the browser tests), Node built-ins only. It listens
// on 127.0.0.1 and, unless told otherwise, sends the headers that make pages cross-origin
// isolated — what SharedArrayBuffer, and so isofutures' shared-memory primitives, need.
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
};

/** The headers of cross-origin isolation. */
const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** The file's stats, or undefined when it cannot be read (like existsSync, any error: not only ENOENT but ENOTDIR, EACCES…). */
function statOf(file) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Serves the files under `root`.
 * @param {object} options
 * @param {string} options.root - the folder to serve (a folder's index.html answers for it)
 * @param {boolean} [options.isolated=true] - send the cross-origin isolation headers
 * @param {number} [options.port=0] - the port; 0 picks a free one
 * @param {Record<string, Record<string, string>>} [options.pageHeaders] - extra headers for HTML pages, by path prefix
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function serve({ root, isolated = true, port = 0, pageHeaders = {} }) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      res.writeHead(400, { "Content-Type": "text/plain" }).end("bad request path");
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + "/")) {
      res.writeHead(403, { "Content-Type": "text/plain" }).end("forbidden");
      return;
    }
    let stat = statOf(file);
    if (stat?.isDirectory()) {
      file = join(file, "index.html");
      stat = statOf(file);
    }
    if (!stat) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    const headers = { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" };
    if (isolated) Object.assign(headers, ISOLATION_HEADERS);
    if (extname(file) === ".html") {
      for (const [prefix, extra] of Object.entries(pageHeaders)) if (path.startsWith(prefix)) Object.assign(headers, extra);
    }
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", fail);
      ok();
    });
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * The dashboard's HTTP server: static page, a server-sent-event stream of cabinet
 * snapshots, and a JSON command endpoint. Node only (host side). Binds to
 * 127.0.0.1 unless told otherwise; no external resources, no CDN.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import type { CabinetSnapshot } from "../../src/controller/snapshot";

export interface DashboardCommandResult {
  ok: boolean;
  error?: string;
}

export interface DashboardOptions {
  port: number;
  host?: string;
  /** Snapshots per second pushed to every browser (at least 4). */
  rateHz?: number;
  snapshot(): CabinetSnapshot;
  /** Operator command from the page; must validate its input and never throw. */
  command(body: unknown): DashboardCommandResult;
}

export interface Dashboard {
  readonly url: string;
  close(): Promise<void>;
}

const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: "page.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

const MAX_BODY_BYTES = 16 * 1024;

export function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const rateHz = Math.max(4, options.rateHz ?? 5);
  const streams = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && STATIC[url.pathname]) {
      const { file, type } = STATIC[url.pathname];
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(fs.readFileSync(path.join(__dirname, file)));
      return;
    }
    if (req.method === "GET" && url.pathname === "/api/snapshot") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(options.snapshot()));
      return;
    }
    if (req.method === "GET" && url.pathname === "/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(`retry: 1000\n\n`);
      streams.add(res);
      req.on("close", () => streams.delete(res));
      return;
    }
    if (req.method === "POST" && url.pathname === "/api/command") {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      req.on("end", () => {
        let result: DashboardCommandResult;
        if (size > MAX_BODY_BYTES) result = { ok: false, error: `command: body of ${size} bytes exceeds ${MAX_BODY_BYTES}` };
        else {
          try {
            result = options.command(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (e) {
            result = { ok: false, error: `command: not valid JSON: ${(e as Error).message}` };
          }
        }
        res.writeHead(result.ok ? 200 : 400, { "content-type": "application/json" });
        res.end(JSON.stringify(result));
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });

  const timer = setInterval(() => {
    if (streams.size === 0) return;
    let data: string;
    try {
      data = JSON.stringify(options.snapshot());
    } catch {
      return;
    }
    for (const res of streams) res.write(`data: ${data}\n\n`);
  }, Math.round(1000 / rateHz));

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolve({
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(timer);
            for (const res of streams) res.end();
            streams.clear();
            server.close(() => done());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

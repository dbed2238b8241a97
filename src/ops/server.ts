// The ops port (OPS_PORT): /healthz, /readyz and /metrics, and nothing else. Kept off
// the Slack port so that readiness details and metrics are never public with the bot's
// front door; an operator exposes this port to probes and Prometheus only.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CustomRoute } from "@slack/bolt";

export interface OpsServer {
  /** The port actually taken (OPS_PORT=0 picks a free one). */
  port: number;
  close(): Promise<void>;
}

export function startOpsServer(port: number, routes: readonly CustomRoute[]): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const route = routes.find(
      (r) => r.path === path && [r.method].flat().includes(req.method ?? ""),
    );
    if (!route) {
      res.writeHead(404, { "content-length": "0" });
      res.end();
      return;
    }
    const withParams: Parameters<CustomRoute["handler"]>[0] = Object.assign(req, { params: {} });
    try {
      route.handler(withParams, res);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

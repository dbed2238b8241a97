// Operator endpoints served by Bolt's receiver in both HTTP and Socket Mode:
// /healthz (the process is alive), /readyz (its dependencies answer), /metrics.
import type { ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { Metrics } from "./metrics.js";
import type { Readiness } from "./readiness.js";

export interface OpsRoutesDeps {
  readiness: Pick<Readiness, "check">;
  metrics: Pick<Metrics, "registry">;
  /** True once SIGTERM/SIGINT arrived: load balancers should stop sending traffic. */
  isShuttingDown: () => boolean;
}

export function opsRoutes(deps: OpsRoutesDeps): CustomRoute[] {
  return [
    {
      path: "/healthz",
      method: "GET",
      // Liveness says only "the event loop turns": a dependency outage must not make an
      // orchestrator restart a process that would recover by itself.
      handler: (_req, res) => sendJson(res, 200, { status: "ok" }),
    },
    {
      path: "/readyz",
      method: "GET",
      handler: (_req, res) => {
        if (deps.isShuttingDown()) {
          sendJson(res, 503, { ready: false, status: "shutting down", parts: {} });
          return;
        }
        deps.readiness.check().then(
          (report) => {
            // Shutdown may have begun while the parts were being checked.
            if (deps.isShuttingDown()) {
              sendJson(res, 503, { ready: false, status: "shutting down", parts: report.parts });
              return;
            }
            sendJson(res, report.ready ? 200 : 503, { ready: report.ready, parts: report.parts });
          },
          (error: unknown) =>
            sendJson(res, 503, {
              ready: false,
              parts: {},
              error: error instanceof Error ? error.message : "readiness check failed",
            }),
        );
      },
    },
    {
      path: "/metrics",
      method: "GET",
      handler: (_req, res) => {
        const { registry } = deps.metrics;
        registry.metrics().then(
          (text) => {
            res.writeHead(200, {
              "content-type": registry.contentType,
              "cache-control": "no-store",
            });
            res.end(text);
          },
          () => sendJson(res, 500, { error: "metrics collection failed" }),
        );
      },
    },
  ];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(body));
}

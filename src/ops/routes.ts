// Operator endpoints, served on OPS_PORT only (src/ops/server.ts) in both modes:
// /healthz (the process is alive), /readyz (its dependencies answer), /metrics.
// /readyz names the failing parts and nothing more: an error text can carry hosts,
// Operation-Ids or a dependency's own words, so the details go to the log instead.
import type { ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { Metrics } from "./metrics.js";
import type { Readiness, ReadinessReport } from "./readiness.js";

export interface OpsRoutesDeps {
  readiness: Pick<Readiness, "check">;
  metrics: Pick<Metrics, "registry">;
  /** True once SIGTERM/SIGINT arrived: load balancers should stop sending traffic. */
  isShuttingDown: () => boolean;
  /** Told every verdict with its error texts, for the log. */
  onReport?: (report: ReadinessReport) => void;
}

/** What a probe may see of a report: which parts are ok, never why one is not. */
function publicView(report: ReadinessReport) {
  const parts: Record<string, { ok: boolean }> = {};
  for (const [name, part] of Object.entries(report.parts)) parts[name] = { ok: part.ok };
  const failing = Object.keys(parts).filter((name) => !parts[name]?.ok);
  return { ready: report.ready, parts, failing };
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
            deps.onReport?.(report);
            const view = publicView(report);
            // Shutdown may have begun while the parts were being checked.
            if (deps.isShuttingDown()) {
              sendJson(res, 503, { ...view, ready: false, status: "shutting down" });
              return;
            }
            sendJson(res, report.ready ? 200 : 503, view);
          },
          () => sendJson(res, 503, { ready: false, parts: {}, failing: [] }),
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

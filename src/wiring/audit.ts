// Audit upkeep: retention trimming on every replica (idempotent), and with a webhook one
// shipper in the background (a Redis lease picks which replica ships).
import { AuditShipper } from "../store/audit-shipper.js";
import type { AuditTrail } from "../store/audit-stream.js";
import type { Wiring } from "./shared.js";

export interface AuditUpkeep {
  start(): void;
  stop(): Promise<void>;
}

export function auditUpkeep(w: Wiring, audit: AuditTrail): AuditUpkeep {
  const { config, logger, metrics, redis, now } = w;
  const trim = () =>
    audit.trim(now()).catch((error: unknown) => {
      logger.warn({ err: String(error) }, "audit trim failed");
    });
  let trimTimer: NodeJS.Timeout | undefined;
  const shipper =
    config.auditWebhookUrl && config.auditWebhookSecret
      ? new AuditShipper({
          redis,
          url: config.auditWebhookUrl,
          secret: config.auditWebhookSecret,
          logger: logger.child({ component: "audit-shipper" }),
          now,
        })
      : undefined;
  if (shipper) metrics.setAuditBacklogSource(() => shipper.backlog());
  return {
    start() {
      trimTimer = setInterval(trim, 3_600_000);
      trimTimer.unref();
      shipper?.start();
      void trim();
    },
    async stop() {
      clearInterval(trimTimer);
      await shipper?.stop();
    },
  };
}

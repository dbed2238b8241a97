// Start-up and readiness helpers: Socket Mode's first connection retried through a Slack
// outage, the socket's readiness part, and the log line behind a failing /readyz.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { ReadinessReport } from "./readiness.js";

/**
 * Socket Mode's first connection, retried with backoff until it opens or shutdown begins:
 * a Slack outage at start-up is waited out with one log line per attempt, not a crash.
 */
export async function keepTrying(
  connect: () => Promise<unknown>,
  logger: Logger,
  stopping: () => boolean,
): Promise<void> {
  let delay = 1_000;
  for (let attempt = 1; !stopping(); attempt += 1) {
    try {
      logger.info({ attempt }, "Socket Mode connecting to Slack");
      await connect();
      logger.info({ attempt }, "Socket Mode connected to Slack");
      return;
    } catch (error) {
      const e = error as { code?: string; data?: { error?: string }; message?: string };
      logger.warn(
        { err: e.data?.error ?? e.code ?? e.message, attempt, retryInMs: delay },
        "Socket Mode could not connect to Slack (apps.connections.open); retrying",
      );
    }
    const until = Date.now() + delay;
    while (Date.now() < until && !stopping()) await sleep(Math.min(100, until - Date.now()));
    delay = Math.min(delay * 2, 30_000);
  }
}

/** Logs why the bot is not ready (the error texts /readyz does not show), once per change. */
export function unreadyLogger(logger: Logger): (report: ReadinessReport) => void {
  let last = "";
  return (report) => {
    const failing = Object.entries(report.parts).filter(([, p]) => !p.ok);
    const summary = JSON.stringify(failing);
    if (summary === last) return;
    last = summary;
    if (failing.length === 0) logger.info("ready: every part answers");
    else logger.warn({ parts: Object.fromEntries(failing) }, "not ready");
  };
}

/** A readiness check that fails before the first connection and once the socket has been down longer than `graceMs`. */
export function socketWatch(
  isUp: () => boolean,
  graceMs: number,
  now: () => number = Date.now,
): () => Promise<void> {
  let downSince: number | undefined;
  let everUp = false;
  return async () => {
    if (isUp()) {
      downSince = undefined;
      everUp = true;
      return;
    }
    if (!everUp) throw new Error("the Socket Mode connection to Slack has not opened yet");
    downSince ??= now();
    const downMs = now() - downSince;
    if (downMs >= graceMs) {
      throw new Error(
        `the Socket Mode connection to Slack has been down for ${Math.round(downMs / 1000)} s`,
      );
    }
  };
}

/** Resolves when `work` settles or after `ms`, whichever is first (never rejects). */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  const timeout = new AbortController();
  await Promise.race([
    work.catch(() => undefined),
    sleep(ms, undefined, { signal: timeout.signal }).catch(() => undefined),
  ]);
  timeout.abort();
}

// Readiness: is every dependency the bot needs answering right now? Parts run
// concurrently, each under a timeout, and the verdict is cached briefly so a storm of
// probes (several load balancers, a kubelet) does not turn into a storm of calls to
// Slack and ADH. Nothing is sticky: the next check after the cache expires starts over.
import { scrubText } from "../log.js";

/** A readiness part: resolves when the dependency answers, rejects with why it does not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export interface PartResult {
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  parts: Record<string, PartResult>;
}

export interface ReadinessOptions {
  /** Per-part timeout; default 1500 ms (probes usually give up after 1–5 s). */
  timeoutMs?: number;
  /** How long a verdict is reused; default 2000 ms. */
  cacheMs?: number;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

const MAX_ERROR_LENGTH = 200;

export class Readiness {
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private cached: { report: ReadinessReport; at: number } | undefined;
  private inFlight: Promise<ReadinessReport> | undefined;

  constructor(
    private readonly checks: Record<string, ReadinessCheck>,
    options: ReadinessOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1_500;
    this.cacheMs = options.cacheMs ?? 2_000;
    this.now = options.now ?? (() => performance.now());
  }

  check(): Promise<ReadinessReport> {
    if (this.cached && this.now() - this.cached.at < this.cacheMs) {
      return Promise.resolve(this.cached.report);
    }
    // Probes arriving while a check runs share it instead of starting their own.
    this.inFlight ??= this.runAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runAll(): Promise<ReadinessReport> {
    const names = Object.keys(this.checks);
    const results = await Promise.all(
      names.map((name) => this.runPart(this.checks[name] as ReadinessCheck)),
    );
    const parts: Record<string, PartResult> = {};
    names.forEach((name, i) => {
      parts[name] = results[i] as PartResult;
    });
    const report = { ready: results.every((r) => r.ok), parts };
    this.cached = { report, at: this.now() };
    return report;
  }

  private async runPart(check: ReadinessCheck): Promise<PartResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`no answer within ${this.timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, this.timeoutMs);
    });
    try {
      // A check that throws synchronously is as failed as one that rejects.
      await Promise.race([Promise.resolve().then(() => check(controller.signal)), timedOut]);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: describeFailure(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The error's message only (never its fields, which may hold request options), scrubbed and clipped. */
function describeFailure(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const line = scrubText(raw).replace(/\s+/g, " ").trim() || "failed";
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

/**
 * Wraps a check so a success is remembered for `ttlMs` (e.g. Slack's auth.test for 60 s:
 * it is rate-limited and rarely changes). Failures are never remembered, so recovery shows
 * on the next probe.
 */
export function rememberSuccess(
  check: ReadinessCheck,
  ttlMs: number,
  now: () => number = () => performance.now(),
): ReadinessCheck {
  let okAt: number | undefined;
  return async (signal) => {
    if (okAt !== undefined && now() - okAt < ttlMs) return;
    await check(signal);
    okAt = now();
  };
}

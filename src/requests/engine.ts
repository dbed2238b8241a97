// The only way to change a request: every transition is a compare-and-set through the
// store, retried across a short Redis restart where losing it would strand the request,
// written to the audit log, and any work it starts in the background is tracked so that
// shutdown can drain it.
import type { Logger } from "pino";
import { AdhError } from "../adh/errors.js";
import { isRedisUnavailable } from "../store/redis.js";
import { RequestNotFoundError, type RequestStore } from "../store/request-store.js";
import type { HybridClientRequest, RequestError } from "./model.js";
import type { ClickRefusal } from "./outcomes.js";
import type { Refusal } from "./state-machine.js";

export interface EngineOptions {
  store: RequestStore;
  logger: Logger;
  now: () => number;
  /** Observes every audit event (metrics). */
  onEvent?: (event: string) => void;
}

/** One state-machine step: the next request, or why there is none. */
export type Step = (current: HybridClientRequest) => {
  next: HybridClientRequest | null;
  refusal?: Refusal;
};

/** Told of each stored change: its audit event, the request as stored, who acted. */
export type ChangeListener = (event: string, request: HybridClientRequest, actor: string) => void;

export type Changed =
  | { ok: true; request: HybridClientRequest }
  | { ok: false; refusal: ClickRefusal };

export class RequestEngine {
  readonly store: RequestStore;
  readonly logger: Logger;
  readonly now: () => number;
  private readonly onEvent: ((event: string) => void) | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly changeListeners: ChangeListener[] = [];
  private stopping = false;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.now = options.now;
    this.onEvent = options.onEvent;
  }

  /** Applies `step` atomically; a missing request is a refusal, not an error. */
  async change(id: string, step: Step): Promise<Changed> {
    try {
      const out = await this.store.update(id, (current) => {
        const t = step(current);
        return { next: t.next, result: t.refusal ?? null };
      });
      if (out.ok) return { ok: true, request: out.request };
      return { ok: false, refusal: out.result ?? { code: "nothing-changed" } };
    } catch (error) {
      if (error instanceof RequestNotFoundError) {
        return { ok: false, refusal: { code: "not-found" } };
      }
      throw error;
    }
  }

  /** Redis restarting (a second or two) should delay this work, not lose it. */
  async withStorageRetries<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= attempts || !isRedisUnavailable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Slack being slow or down must not undo a decision already stored. */
  async safely(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, `${what} failed`);
    }
  }

  /** One audit line per state change (and a metrics tick). */
  audit(event: string, r: HybridClientRequest, actor: string, extra: Record<string, unknown> = {}) {
    this.onEvent?.(event);
    this.logger.info(
      {
        audit: event,
        requestId: r.id,
        kind: r.kind,
        clientId: r.clientId,
        status: r.status,
        actor,
        ...extra,
      },
      event,
    );
    for (const listener of this.changeListeners) {
      try {
        listener(event, r, actor);
      } catch (error) {
        this.logger.warn({ err: describeError(error), event }, "change listener failed");
      }
    }
  }

  /**
   * Hears every audited state change after it is stored (vote history, DMs, App Home).
   * Listeners run synchronously and start their slow work with track().
   */
  afterChange(listener: ChangeListener): void {
    this.changeListeners.push(listener);
  }

  /** Runs work after the caller has answered; drain() waits for it. */
  track(work: Promise<unknown>): void {
    const tracked = work.catch((error) => {
      this.logger.error({ err: describeError(error) }, "background work failed");
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Background work still running (shutdown and tests wait on it). */
  get busy(): number {
    return this.inFlight.size;
  }

  /** True once drain() began: work cut short now is left for the next start. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Graceful shutdown: waits for background work, bounded by timeoutMs. Work cut short
   * after this is left in a state the next start recovers.
   */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    this.stopping = true;
    const all = Promise.allSettled([...this.inFlight]).then(() => true);
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), timeoutMs).unref(),
    );
    return Promise.race([all, timeout]);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof AdhError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}

export function toRequestError(error: unknown, now: number): RequestError {
  if (error instanceof AdhError) {
    return {
      message: error.describe(),
      status: error.status,
      operationId: error.operationId,
      at: now,
    };
  }
  return { message: describeError(error), at: now };
}

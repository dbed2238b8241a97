// Who the bot is in Slack (bot user, bot id, workspace and, on Enterprise Grid, the
// organisation), learned from auth.test. Bolt would call auth.test once and keep a first
// failure for good, so a Slack outage at start-up left every request unauthorized until a
// restart. Here the lookup is retried with backoff until Slack answers, and a request
// arriving meanwhile tries once more itself: requests are served as soon as Slack is back.
import { setTimeout as sleep } from "node:timers/promises";
import type { AuthorizeResult } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";

/** How long a request waits for a first auth.test before it is acked unserved. */
const AUTHORIZE_WAIT_MS = 1_500;

export interface BotIdentity {
  botUserId: string;
  botId: string;
  /** The workspace the bot is installed in: requests for another team are ignored. */
  teamId: string;
  /** Set on Enterprise Grid: users of this organisation are not foreign. */
  enterpriseId?: string;
}

export interface SlackIdentityOptions {
  client: Pick<WebClient, "auth">;
  botToken: string;
  logger: Logger;
  /** First retry delay; doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export class SlackIdentity {
  private known: BotIdentity | undefined;
  private inFlight: Promise<BotIdentity> | undefined;
  private readonly stopped = new AbortController();
  private readonly log: Logger;

  constructor(private readonly options: SlackIdentityOptions) {
    this.log = options.logger.child({ component: "slack-identity" });
  }

  get current(): BotIdentity | undefined {
    return this.known;
  }

  /** Looks the identity up until it succeeds or stop() is called; never rejects. */
  async learn(): Promise<void> {
    let delay = this.options.minDelayMs ?? 1_000;
    const maxDelay = this.options.maxDelayMs ?? 30_000;
    for (let attempt = 1; !this.known && !this.stopped.signal.aborted; attempt += 1) {
      try {
        await this.lookup();
        return;
      } catch (error) {
        this.log.warn(
          { err: describe(error), attempt, retryInMs: delay },
          "Slack did not answer auth.test; requests wait until it does, retrying",
        );
      }
      await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  /** The identity, looking it up now when it is not known yet (concurrent callers share one call). */
  lookup(): Promise<BotIdentity> {
    if (this.known) return Promise.resolve(this.known);
    this.inFlight ??= this.authTest().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Bolt's `authorize`: every request carries the bot token and identity. Before the
   * identity is known it waits for auth.test at most AUTHORIZE_WAIT_MS, so a request
   * during an outage is still acked (empty) inside Slack's 3 s.
   */
  authorize = async (): Promise<AuthorizeResult> => {
    const id = this.known ?? (await this.lookupWithin(AUTHORIZE_WAIT_MS));
    return {
      botToken: this.options.botToken,
      botId: id.botId,
      botUserId: id.botUserId,
      teamId: id.teamId,
      ...(id.enterpriseId ? { enterpriseId: id.enterpriseId } : {}),
    };
  };

  private async lookupWithin(ms: number): Promise<BotIdentity> {
    const timeout = new AbortController();
    try {
      return await Promise.race([
        this.lookup(),
        sleep(ms, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`the bot's Slack identity is not known yet (auth.test pending)`);
        }),
      ]);
    } finally {
      timeout.abort();
    }
  }

  stop(): void {
    this.stopped.abort();
  }

  private async authTest(): Promise<BotIdentity> {
    const res = await this.options.client.auth.test();
    if (!res.user_id || !res.bot_id || !res.team_id) {
      throw new Error("auth.test did not name the bot user, bot and team");
    }
    const identity: BotIdentity = {
      botUserId: res.user_id,
      botId: res.bot_id,
      teamId: res.team_id,
      ...(res.enterprise_id ? { enterpriseId: res.enterprise_id } : {}),
    };
    if (!this.known) {
      this.log.info(
        {
          teamId: identity.teamId,
          enterpriseId: identity.enterpriseId,
          botUserId: identity.botUserId,
        },
        "Slack identity learned; serving requests for this workspace only",
      );
    }
    this.known = identity;
    return identity;
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string }; message?: string };
  return e?.data?.error ?? e?.code ?? e?.message ?? String(error);
}

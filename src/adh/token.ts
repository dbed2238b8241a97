// The bot's access token: fetched once, shared by concurrent callers, refreshed
// before it expires so no call goes out with a token about to die in flight.

export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

const REFRESH_MARGIN_MS = 5 * 60_000;

/** Refresh 5 min early; for short-lived tokens 10 % of the lifetime instead. */
export function refreshMarginMs(expiresInSeconds: number): number {
  return Math.min(REFRESH_MARGIN_MS, expiresInSeconds * 100);
}

export class TokenCache {
  private current: { token: string; refreshAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
  ) {}

  get(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) {
      return Promise.resolve(this.current.token);
    }
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forget `token` after ADH rejected it; a newer token fetched meanwhile is kept. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async refresh(): Promise<string> {
    // Measured from before the request: the lifetime started at ADH, not when we read it.
    const requestedAt = this.now();
    const issued = await this.fetchToken();
    const lifetimeMs = issued.expiresInSeconds * 1000;
    this.current = {
      token: issued.accessToken,
      refreshAt: requestedAt + lifetimeMs - refreshMarginMs(issued.expiresInSeconds),
    };
    return issued.accessToken;
  }
}

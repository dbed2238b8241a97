// The Web API client settings shared by Bolt's client and the workflow's own client.
import { WebClient, type WebClientOptions } from "@slack/web-api";
import type { Logger } from "pino";
import { slackLogger } from "../log.js";
import { slackFetch } from "./slack-fetch.js";

export function slackClientOptions(apiUrl: string | undefined, logger: Logger): WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    logger: slackLogger(logger),
    // A few quick retries; the SDK's default (10 over ~30 min) would hold work hostage.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
    timeout: 10_000,
    fetch: slackFetch,
  };
}

/**
 * The workflow's own client: separate from Bolt's so that a 429 pause on one (the SDK
 * pauses its whole queue for Retry-After) does not hold up the other's work.
 */
export function createSlackClient(
  token: string,
  apiUrl: string | undefined,
  logger: Logger,
  options: { retries?: boolean } = {},
): WebClient {
  const base = slackClientOptions(apiUrl, logger);
  if (options.retries !== false) return new WebClient(token, base);
  // The caller handles every failure itself (and re-renders before trying again).
  return new WebClient(token, {
    ...base,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

// Where a Reveal's secret may be POSTed: Slack's response_urls live on
// https://hooks.slack.com; with SLACK_API_URL set (a proxy, a test double) its origin too.
// Anything else (a forged or altered payload) gets nothing.

export const SLACK_HOOKS_ORIGIN = "https://hooks.slack.com";

export function responseUrlOrigins(slackApiUrl: string | undefined): string[] {
  const origins = [SLACK_HOOKS_ORIGIN];
  if (slackApiUrl) {
    try {
      origins.push(new URL(slackApiUrl).origin);
    } catch {
      // Config already checked it is a URL.
    }
  }
  return origins;
}

/** Is `url` an absolute URL on one of `origins` (scheme, host and port all equal)? */
export function isAllowedResponseUrl(url: string, origins: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  return origins.includes(parsed.origin);
}

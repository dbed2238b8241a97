// The doctor's Slack checks: the token and its scopes, channel membership, approvers.
import { ErrorCode, type WebClient } from "@slack/web-api";
import type { Config } from "../config.js";
import { failed, messageOf, type Outcome, ok } from "./outcome.js";

const TOKEN_FIX =
  "check SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token, xoxb-…); if it was revoked, reinstall the app to the workspace and copy the new token";

export async function slackAuthTest(slack: WebClient): Promise<
  | {
      status: "ok";
      outcome: Outcome;
      auth: { scopes: string[] | undefined; user: string; team: string };
    }
  | { status: "failed"; outcome: Outcome }
> {
  try {
    const result = await slack.auth.test();
    const auth = {
      scopes: result.response_metadata?.scopes,
      user: result.user ?? "the bot",
      team: result.team ?? "the workspace",
    };
    return { status: "ok", outcome: ok(`auth.test: @${auth.user} in ${auth.team}`), auth };
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "network" || code === "http") {
      return {
        status: "failed",
        outcome: failed(
          `could not reach the Slack Web API: ${messageOf(error)}`,
          "check the network (proxy, firewall) and SLACK_API_URL (leave it unset for Slack itself)",
        ),
      };
    }
    return {
      status: "failed",
      outcome: failed(`Slack refused the token: ${describeSlackError(error)}`, TOKEN_FIX),
    };
  }
}

export function checkScopes(granted: string[] | undefined, wanted: string[]): Outcome {
  const reinstall =
    "reinstall the app from manifest/manifest.json (app settings > App Manifest: paste it, save, then Install App > Reinstall) so the token gets every scope";
  if (granted === undefined) {
    return failed("Slack did not report the token's scopes (no x-oauth-scopes header)", reinstall);
  }
  const have = new Set(granted);
  const missing = wanted.filter((s) => !have.has(s));
  if (missing.length > 0) {
    return failed(`the token lacks ${missing.join(", ")}`, reinstall);
  }
  return ok(`${wanted.length} scopes`);
}

export function channelChecks(config: Config): { variable: string; channel: string }[] {
  const list = [{ variable: "APPROVAL_CHANNEL", channel: config.approvalChannel }];
  if (config.reminderChannel)
    list.push({ variable: "REMINDER_CHANNEL", channel: config.reminderChannel });
  return list;
}

export async function checkMembership(
  slack: WebClient,
  channel: string,
  botName: string,
): Promise<Outcome> {
  const invite = `type /invite @${botName} in that channel (or open the channel's details > Integrations > Add apps)`;
  try {
    const result = await slack.conversations.info({ channel });
    const info = result.channel;
    if (info?.is_archived) {
      return failed(
        "the channel is archived",
        "unarchive it, or point the setting at another channel",
      );
    }
    if (info?.is_member !== true) return failed("the bot is not a member of the channel", invite);
    return ok();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "channel_not_found") {
      return failed(
        "Slack finds no such channel for the bot (a private channel stays hidden until the bot is invited)",
        `check the channel id (channel details > bottom of the About tab), then ${invite}`,
      );
    }
    return failed(`conversations.info failed: ${describeSlackError(error)}`, slackFix(code));
  }
}

export async function checkApproverUser(slack: WebClient, id: string): Promise<Outcome> {
  const fix = `correct or remove ${id} in APPROVERS (a person's member id: their Slack profile > ⋮ > Copy member ID)`;
  try {
    const { user } = await slack.users.info({ user: id });
    if (!user) return failed(`Slack returned no user for ${id}`, fix);
    if (user.deleted) return failed(`${id} is a deactivated account`, fix);
    if (user.is_bot) return failed(`${id} is a bot, not a person`, fix);
    return ok(user.name ? `@${user.name}` : undefined);
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "user_not_found")
      return failed(`Slack knows no user ${id} in this workspace`, fix);
    return failed(`users.info failed for ${id}: ${describeSlackError(error)}`, slackFix(code, fix));
  }
}

export async function checkApproverGroup(
  slack: WebClient,
  id: string,
): Promise<{ outcome: Outcome; members?: string[] }> {
  const fix = `correct or remove ${id} in APPROVERS (a user group's id, S…: open the group in People > User groups and copy its id)`;
  try {
    const { users } = await slack.usergroups.users.list({ usergroup: id });
    if (!users || users.length === 0) {
      return {
        outcome: failed(
          `user group ${id} has no members, so nobody could approve through it`,
          `add people to the group, or ${fix}`,
        ),
        members: [],
      };
    }
    return {
      outcome: ok(`${users.length} member${users.length === 1 ? "" : "s"}`),
      members: users,
    };
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "no_such_subteam")
      return { outcome: failed(`Slack knows no user group ${id}`, fix), members: [] };
    return {
      outcome: failed(
        `usergroups.users.list failed for ${id}: ${describeSlackError(error)}`,
        slackFix(code, fix),
      ),
    };
  }
}

/** Slack's error code ("invalid_auth", "missing_scope", …), or "network"/"http"/"ratelimited". */
function slackErrorCode(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string } };
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return e.data?.error ?? "unknown_error";
    case ErrorCode.RequestError:
      return "network";
    case ErrorCode.HTTPError:
      return "http";
    case ErrorCode.RateLimitedError:
      return "ratelimited";
    default:
      return "unknown_error";
  }
}

function describeSlackError(error: unknown): string {
  const code = slackErrorCode(error);
  const e = error as { data?: { needed?: string }; retryAfter?: number; statusCode?: number };
  if (code === "missing_scope")
    return `missing_scope${e.data?.needed ? ` (needs ${e.data.needed})` : ""}`;
  if (code === "ratelimited")
    return `rate-limited by Slack (retry after ${e.retryAfter ?? "a few"} s)`;
  if (code === "http") return `HTTP ${e.statusCode ?? "error"} from Slack`;
  if (code === "network" || code === "unknown_error") return messageOf(error);
  return code;
}

function slackFix(
  code: string,
  otherwise = "see the message; run npm run doctor again once it is fixed",
): string {
  if (code === "missing_scope") {
    return "reinstall the app from manifest/manifest.json so the token gets every scope it lists";
  }
  if (code === "invalid_auth" || code === "token_revoked" || code === "account_inactive")
    return TOKEN_FIX;
  if (code === "ratelimited") return "wait a minute and run npm run doctor again";
  if (code === "network" || code === "http") return "check the network and SLACK_API_URL";
  return otherwise;
}

// Safe mrkdwn: everything a user typed goes through escapeMrkdwn (or code) before it is
// shown, so `<!channel>` or `<@U123>` in a client name pings nobody and a name cannot
// smuggle in a link. Mentions and channel links are built only from validated ids.
import { ELLIPSIS, keepWhole } from "./limits.js";

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/**
 * Escapes Slack's three control characters. With `max`, the escaped text is cut to at
 * most `max` code units without leaving half an entity (`&am…`) behind.
 */
export function escapeMrkdwn(text: string, max?: number): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return max === undefined ? escaped : truncateMrkdwn(escaped, max);
}

/**
 * Cuts already-formatted mrkdwn to at most `max` code units, ending in "…", never
 * inside an entity (`&lt;`) or a control sequence (`<@U123>`, `<!date^…>`), never between
 * the halves of a surrogate pair.
 */
export function truncateMrkdwn(mrkdwn: string, max: number): string {
  if (mrkdwn.length <= max) return mrkdwn;
  if (max <= 0) return "";
  let body = mrkdwn.slice(0, max - ELLIPSIS.length);
  // In escaped text `&` only starts an entity and `<` only starts a control sequence
  // we built, so an opener with no closer after it was cut in half: drop it whole.
  const amp = body.lastIndexOf("&");
  if (amp !== -1 && body.indexOf(";", amp) === -1) body = body.slice(0, amp);
  const lt = body.lastIndexOf("<");
  if (lt !== -1 && body.indexOf(">", lt) === -1) body = body.slice(0, lt);
  return keepWhole(body) + ELLIPSIS;
}

/** `<@U…>` for a real user id; anything else is shown as escaped text and pings nobody. */
export function mention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** `<#C…>` for a real channel id; anything else is shown as escaped text. */
export function channelLink(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : escapeMrkdwn(channelId);
}

/**
 * Inline code of user text: escaped, backticks swapped for a look-alike (U+02CB) and line
 * breaks for spaces so the text cannot close the span early. Empty text (or `max` < 3) gives "".
 */
export function code(text: string, max?: number): string {
  const inner = escapeMrkdwn(text.replace(/`/g, "ˋ").replace(/[\r\n]+/g, " "));
  if (inner === "" || (max !== undefined && max < 3)) return "";
  const fitted = max === undefined ? inner : truncateMrkdwn(inner, max - 2);
  return `\`${fitted}\``;
}

/** True for ids Slack would render as a channel link. */
export const isChannelId = (id: string): boolean => CHANNEL_ID.test(id);

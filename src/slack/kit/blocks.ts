// Block Kit primitives every journey builds with, and finish(): the one place the
// message-level limits are applied. Text passed in is mrkdwn already escaped by the
// caller; these only cut.
import type {
  ActionsBlock,
  Button,
  Checkboxes,
  ContextBlock,
  HeaderBlock,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  MrkdwnElement,
  RichTextBlock,
  SectionBlock,
} from "@slack/types";
import { LIMITS, truncate } from "./limits.js";
import { truncateMrkdwn } from "./mrkdwn.js";

/** Body of chat.postMessage / chat.update (plus channel, ts). */
export interface SlackMessage {
  /** Fallback for notifications and screen readers; mrkdwn, escaped like the blocks. */
  text: string;
  blocks: KnownBlock[];
}

/** Body posted to a click's response_url: shown only to the clicker, never stored by Slack. */
export interface EphemeralResponse extends SlackMessage {
  response_type: "ephemeral";
  replace_original: false;
}

/**
 * Applies the message-level limits in one place: at most 50 blocks (the body is cut and
 * summarised, the footer with its buttons always kept), fallback text within 4000, and
 * block ids stamped with `version` so an update never reuses one.
 */
export function finish(
  text: string,
  body: KnownBlock[],
  footer: KnownBlock[],
  versionTag?: string,
): SlackMessage {
  const room = LIMITS.messageBlocks - footer.length;
  let kept = body;
  if (body.length > room) {
    kept = body.slice(0, room - 1);
    kept.push(context(`…and ${body.length - kept.length} more sections not shown.`, "more"));
  }
  const blocks = [...kept, ...footer].map((b, i) => {
    if (versionTag === undefined) return b;
    const id = `${b.block_id ?? `b${i}`}:${versionTag}`;
    return {
      ...b,
      block_id: id.length <= LIMITS.id ? id : `b${i}:${versionTag}`.slice(0, LIMITS.id),
    };
  });
  return { text: truncateMrkdwn(text, LIMITS.fallbackText), blocks };
}

export const plain = (text: string) => ({ type: "plain_text" as const, text, emoji: true });

export const mrkdwn = (text: string): MrkdwnElement => ({ type: "mrkdwn", text });

export function header(text: string, blockId?: string): HeaderBlock {
  return {
    type: "header",
    text: plain(truncate(text, LIMITS.header)),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function section(text: string, blockId?: string): SectionBlock {
  return {
    type: "section",
    text: mrkdwn(truncateMrkdwn(text, LIMITS.sectionText) || " "),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function context(text: string, blockId?: string): ContextBlock {
  return {
    type: "context",
    elements: [mrkdwn(truncateMrkdwn(text, LIMITS.sectionText) || " ")],
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function actions(elements: Button[], blockId: string): ActionsBlock {
  return { type: "actions", block_id: blockId, elements };
}

export function preformatted(text: string): RichTextBlock {
  return {
    type: "rich_text",
    elements: [{ type: "rich_text_preformatted", elements: [{ type: "text", text }] }],
  };
}

export function input(
  blockId: string,
  label: string,
  element: InputBlockElement,
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: plain(label),
    element,
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  };
}

export function checkbox(
  actionId: string,
  value: string,
  text: string,
  description: string,
): Checkboxes {
  return {
    type: "checkboxes",
    action_id: actionId,
    options: [{ text: plain(text), value, description: plain(description) }],
  };
}

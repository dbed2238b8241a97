// The plain notice a modal shows while or after something happens.
import type { ModalView, SectionBlock } from "@slack/types";
import { plain } from "./blocks.js";
import { LIMITS, truncate } from "./limits.js";
import { truncateMrkdwn } from "./mrkdwn.js";

export function buildNoticeView(title: string, text: string): ModalView {
  const body: SectionBlock = {
    type: "section",
    text: { type: "mrkdwn", text: truncateMrkdwn(text.trim() || title, LIMITS.sectionText) },
  };
  return {
    type: "modal",
    title: plain(truncate(title, LIMITS.modalTitle)),
    close: plain("Close"),
    blocks: [body],
  };
}

// The optional reason an approver gives when denying, asked in a modal.
import type { ModalView } from "@slack/types";
import { MAX_REASON_LENGTH } from "../../requests/validation.js";
import { BLOCK, DENY_FORM, INPUT_ACTION } from "../ids.js";
import { input, plain } from "../kit/blocks.js";
import { textValue, type ViewStateValues } from "../kit/view-state.js";

export function buildDenyReasonView(opts: { requestId: string }): ModalView {
  return {
    type: "modal",
    callback_id: DENY_FORM,
    private_metadata: opts.requestId,
    title: plain("Deny request"),
    submit: plain("Deny"),
    close: plain("Back"),
    blocks: [
      input(
        BLOCK.denyReason,
        "Reason",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.denyReason,
          multiline: true,
          max_length: MAX_REASON_LENGTH,
          focus_on_load: true,
        },
        { optional: true, hint: "Shown to the requester and in the approvals channel" },
      ),
    ],
  };
}

/** The deny modal's reason, trimmed; "" when none was given. */
export function readDenyReason(values: ViewStateValues | null | undefined): string {
  return (textValue(values, BLOCK.denyReason) ?? "").trim();
}

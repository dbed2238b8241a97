// Pane 2, "Create Secret" (the only pane of a rotation), reading it back, and its inline
// errors.
import type { ContextBlock, ModalView } from "@slack/types";
import type { SecretTarget } from "../../requests/model.js";
import {
  MAX_DESCRIPTION_LENGTH,
  type RawSecretForm,
  type SecretFormField,
} from "../../requests/validation.js";
import { BLOCK, INPUT_ACTION, OPTION, SECRET_FORM } from "../ids.js";
import { checkbox, input, plain } from "../kit/blocks.js";
import { LIMITS } from "../kit/limits.js";
import { escapeMrkdwn } from "../kit/mrkdwn.js";
import {
  byBlock,
  element,
  isChecked,
  stringField,
  textValue,
  type ViewStateValues,
} from "../kit/view-state.js";
import { formMetadata } from "./metadata.js";
import { replaceSecretBlocks } from "./replace-secret.js";

export interface SecretFormOptions {
  requestKey: string;
  /** Set when rotating the secret of an existing client: says which one. */
  clientName?: string;
  /** YYYY-MM-DD; see defaultExpirationDate(). */
  defaultExpiration: string;
  /** Rotation: the client's secrets, offered under Replace secret (issue 11 item 5). */
  replaceChoices?: SecretTarget[];
  /** The client is at ADH's limit: a Replace secret choice is required. */
  replaceRequired?: boolean;
}

export function buildSecretFormView(opts: SecretFormOptions): ModalView {
  const about: ContextBlock[] =
    opts.clientName !== undefined
      ? [
          {
            type: "context",
            elements: [
              {
                type: "mrkdwn",
                text: `New secret for client *${escapeMrkdwn(opts.clientName, LIMITS.sectionText - 30)}*`,
              },
            ],
          },
        ]
      : [];
  // A malformed initial_date makes Slack reject the view; better an empty picker.
  const initialDate = /^\d{4}-\d{2}-\d{2}$/.test(opts.defaultExpiration)
    ? { initial_date: opts.defaultExpiration }
    : {};
  return {
    type: "modal",
    callback_id: SECRET_FORM,
    private_metadata: formMetadata({ requestKey: opts.requestKey }),
    title: plain("Create Secret"),
    submit: plain("Submit for approval"),
    close: plain("Cancel"),
    blocks: [
      ...about,
      input(
        BLOCK.description,
        "Description",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.description,
          max_length: MAX_DESCRIPTION_LENGTH,
          focus_on_load: true,
        },
        { optional: true },
      ),
      input(
        BLOCK.expirationDate,
        "Expiration Date",
        { type: "datepicker", action_id: INPUT_ACTION.expirationDate, ...initialDate },
        { hint: "The secret stops working at the end of this day (UTC)" },
      ),
      input(
        BLOCK.neverExpires,
        "Never Expires",
        checkbox(
          INPUT_ACTION.neverExpires,
          OPTION.neverExpires,
          "Never Expires",
          "Not recommended: the secret is valid until deleted",
        ),
        { optional: true },
      ),
      ...replaceSecretBlocks(opts),
    ],
  };
}

export function readSecretForm(values: ViewStateValues | null | undefined): RawSecretForm {
  return {
    description: textValue(values, BLOCK.description),
    expirationDate: stringField(element(values, BLOCK.expirationDate), "selected_date"),
    neverExpires: isChecked(values, BLOCK.neverExpires, OPTION.neverExpires),
  };
}

const SECRET_FIELD_BLOCK: Record<SecretFormField, string> = {
  description: BLOCK.description,
  expirationDate: BLOCK.expirationDate,
};

/** `errors` for `response_action: "errors"`, keyed by block id. */
export function secretFormErrors(
  errors: Partial<Record<SecretFormField, string>>,
): Record<string, string> {
  return byBlock(errors, SECRET_FIELD_BLOCK);
}

/**
 * A view with one message and a Close button: "You need the Tenant Administrator role…",
 * "ADH could not be reached…", "Submitted". `text` is mrkdwn built by the caller: escape
 * anything a user typed with escapeMrkdwn().
 */

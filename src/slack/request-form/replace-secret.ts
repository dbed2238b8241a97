// The Create Secret pane's Replace secret select (issue 11 item 5): which of the client's
// current secrets the rotation retires, required when the client is at ADH's limit.
import type { KnownBlock, PlainTextOption } from "@slack/types";
import type { SecretTarget } from "../../requests/model.js";
import { MAX_SECRETS_PER_CLIENT } from "../../requests/rotation.js";
import { BLOCK, INPUT_ACTION } from "../ids.js";
import { context, input, plain } from "../kit/blocks.js";
import { element, type ViewStateValues } from "../kit/view-state.js";

/** Slack's limits: 75 characters per option text, 100 options per select. */
const OPTION_TEXT = 75;
const MAX_OPTIONS = 100;

/** Said with every answer about deleting a secret. */
export const DELETION_TAKES_AN_HOUR = "ADH can take up to an hour to apply a deletion to sign-ins.";

/** "Secret 3 · build server · expires 2027-01-31" in plain text (an option has no mrkdwn). */
export function secretChoiceText(s: Pick<SecretTarget, "secretId" | "description" | "expiration">) {
  const until = s.expiration === null ? "never expires" : `expires ${s.expiration.slice(0, 10)}`;
  const desc = s.description.trim() || "no description";
  const text = `Secret ${s.secretId} · ${desc} · ${until}`;
  return text.length <= OPTION_TEXT ? text : `${text.slice(0, OPTION_TEXT - 1)}…`;
}

export function replaceSecretBlocks(opts: {
  replaceChoices?: SecretTarget[];
  replaceRequired?: boolean;
}): KnownBlock[] {
  const choices = (opts.replaceChoices ?? []).slice(0, MAX_OPTIONS);
  if (choices.length === 0) return [];
  const options: PlainTextOption[] = choices.map((c) => ({
    text: plain(secretChoiceText(c)),
    value: String(c.secretId),
  }));
  const select = input(
    BLOCK.replaceSecret,
    "Replace secret",
    { type: "static_select", action_id: INPUT_ACTION.replaceSecret, options },
    {
      optional: !opts.replaceRequired,
      hint: opts.replaceRequired
        ? "Required: this secret is deleted BEFORE the new one is created."
        : "Optional: after you reveal the new secret you can delete this one with one click.",
    },
  );
  const why = opts.replaceRequired
    ? `⚠️ This client already holds ${MAX_SECRETS_PER_CLIENT} secrets, the most ADH allows. Delete an old secret to make room: the one chosen under *Replace secret* is deleted *before* the new one is created, once the request is approved. ${DELETION_TAKES_AN_HOUR}`
    : `Rotating? Choose the secret this one replaces: you can delete it once you have revealed the new one. ${DELETION_TAKES_AN_HOUR}`;
  return [context(why, "replace_note"), select];
}

/** The chosen secret's id; undefined when none (or not a number). */
export function readReplaceChoice(values: ViewStateValues | null | undefined): number | undefined {
  const picked = element(values, BLOCK.replaceSecret) as
    | { selected_option?: { value?: unknown } | null }
    | undefined;
  const raw = picked?.selected_option?.value;
  if (typeof raw !== "string" || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** True when the pane shown required a choice (Slack echoes the view's blocks back). */
export function replaceRequiredIn(blocks: readonly { block_id?: string; optional?: boolean }[]) {
  return blocks.some((b) => b.block_id === BLOCK.replaceSecret && b.optional !== true);
}

export const REPLACE_REQUIRED_ERROR =
  "Choose the secret to delete: this client is at ADH's limit of 10 secrets";

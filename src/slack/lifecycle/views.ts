// The lifecycle modals, in the portal's words: Edit Client (prefilled from ADH), Disable /
// Enable Client, Delete Client (type the name to confirm), Delete Secret. Reason is
// required on every one; reading the forms back lives here too.
import type { InputBlock, KnownBlock, ModalView, PlainTextInput } from "@slack/types";
import type { ClientSecret, HybridClient } from "../../adh/schemas.js";
import { editableOf, type LifecycleKind } from "../../requests/lifecycle.js";
import { KIND } from "../../requests/model.js";
import { MAX_NAME_LENGTH, MAX_REASON_LENGTH, MAX_URLS } from "../../requests/validation.js";
import {
  BLOCK,
  DELETE_CLIENT_FORM,
  DELETE_SECRET_FORM,
  EDIT_FORM,
  INPUT_ACTION,
  OPTION,
  TOGGLE_FORM,
} from "../ids.js";
import { checkbox, input, plain, section } from "../kit/blocks.js";
import { expiry } from "../kit/dates.js";
import { LIMITS, truncate } from "../kit/limits.js";
import { code, escapeMrkdwn } from "../kit/mrkdwn.js";
import { TAKES_AN_HOUR } from "../request-card/lifecycle.js";
import { tokenLifetimeInput } from "../request-form/client-pane.js";
import { formMetadata } from "../request-form/metadata.js";

export const LIFECYCLE_TITLE: Record<LifecycleKind, string> = {
  "edit-client": "Edit Client",
  "disable-client": "Disable Client",
  "enable-client": "Enable Client",
  "delete-client": "Delete Client",
  "delete-secret": "Delete Secret",
};

export const CALLBACK_OF: Record<LifecycleKind, string> = {
  "edit-client": EDIT_FORM,
  "disable-client": TOGGLE_FORM,
  "enable-client": TOGGLE_FORM,
  "delete-client": DELETE_CLIENT_FORM,
  "delete-secret": DELETE_SECRET_FORM,
};

const text = (actionId: string, extra: Partial<PlainTextInput> = {}): PlainTextInput => ({
  type: "plain_text_input",
  action_id: actionId,
  ...extra,
});

const reasonInput = (): InputBlock =>
  input(
    BLOCK.reason,
    "Reason",
    text(INPUT_ACTION.reason, { multiline: true, max_length: MAX_REASON_LENGTH }),
    { hint: "Shown to approvers" },
  );

const who = (client: HybridClient) =>
  `*${escapeMrkdwn(client.Name ?? "", 200) || "(no name)"}* · Client Id ${code(client.Id, 120)}`;

function modal(kind: LifecycleKind, key: string, blocks: KnownBlock[]): ModalView {
  return {
    type: "modal",
    callback_id: CALLBACK_OF[kind],
    private_metadata: formMetadata({ requestKey: key }),
    title: plain(LIFECYCLE_TITLE[kind]),
    submit: plain("Submit for approval"),
    close: plain("Cancel"),
    blocks,
  };
}

export function buildLifecycleView(
  kind: LifecycleKind,
  key: string,
  client: HybridClient,
  secrets: readonly ClientSecret[],
  secretId?: number,
): ModalView {
  const hour = section(`_${TAKES_AN_HOUR}_`);
  switch (kind) {
    case KIND.edit:
      return modal(kind, key, [...editInputs(client), reasonInput(), hour]);
    case KIND.disable:
      return modal(kind, key, [
        section(who(client)),
        section(
          "Disabling stops new sign-ins with this client. Access tokens already issued stay valid until they expire.",
        ),
        reasonInput(),
        hour,
      ]);
    case KIND.enable:
      return modal(kind, key, [
        section(who(client)),
        section("Enabling lets this client sign in again."),
        reasonInput(),
        hour,
      ]);
    case KIND.deleteClient:
      return modal(kind, key, [
        section(`${who(client)} · ${secrets.length} secret(s)`),
        section("⚠️ Deleting cannot be undone. Applications using this client stop signing in."),
        input(
          BLOCK.confirmName,
          "Type the client name to confirm",
          text(INPUT_ACTION.confirmName, { max_length: MAX_NAME_LENGTH }),
        ),
        reasonInput(),
        hour,
      ]);
    case KIND.deleteSecret: {
      const secret = secrets.find((s) => s.Id === secretId);
      const desc = secret?.Description?.trim() ? escapeMrkdwn(secret.Description, 200) : "—";
      const until =
        secret?.Expires === false || !secret?.Expiration
          ? "Never Expires"
          : expiry(secret.Expiration);
      const blocks: KnownBlock[] = [
        section(who(client)),
        section(`*Secret* Id ${secretId ?? "?"} · ${desc} · expires ${until}`),
      ];
      if (secrets.length <= 1) {
        blocks.push(
          section(
            "⚠️ This is the client's last secret: after the deletion it has no secret and cannot sign in until a new one is added.",
          ),
        );
      }
      return modal(kind, key, [...blocks, reasonInput(), hour]);
    }
  }
}

/** The Edit Client fields, prefilled with what ADH has now. */
function editInputs(client: HybridClient): InputBlock[] {
  const e = editableOf(client);
  const lines = (urls: string[]) =>
    urls.length > 0
      ? { initial_value: truncate(urls.join("\n"), LIMITS.plainTextInputMaxLength) }
      : {};
  const allow = checkbox(
    INPUT_ACTION.allowRefreshToken,
    OPTION.allowRefreshToken,
    "Allow Refresh Token",
    "Lets the client stay signed in with refresh tokens",
  );
  const enabled = checkbox(
    INPUT_ACTION.enabled,
    OPTION.enabled,
    "Enabled",
    "Unticked: no new sign-ins",
  );
  return [
    input(
      BLOCK.name,
      "Name",
      text(INPUT_ACTION.name, {
        max_length: MAX_NAME_LENGTH,
        ...(e.name ? { initial_value: truncate(e.name, MAX_NAME_LENGTH) } : {}),
      }),
    ),
    input(
      BLOCK.allowRefreshToken,
      "Allow Refresh Token",
      e.allowOfflineAccess ? { ...allow, initial_options: allow.options } : allow,
      { optional: true },
    ),
    input(
      BLOCK.redirectUris,
      "Allowed Redirect URL(s)",
      text(INPUT_ACTION.redirectUris, {
        multiline: true,
        max_length: LIMITS.plainTextInputMaxLength,
        ...lines(e.redirectUris),
      }),
      { hint: `One URL per line, at most ${MAX_URLS}` },
    ),
    input(
      BLOCK.logoutRedirectUris,
      "Allowed Logout Redirect URL(s)",
      text(INPUT_ACTION.logoutRedirectUris, {
        multiline: true,
        max_length: LIMITS.plainTextInputMaxLength,
        ...lines(e.postLogoutRedirectUris),
      }),
      { optional: true, hint: `One URL per line, at most ${MAX_URLS}; empty clears them` },
    ),
    tokenLifetimeInput(e.accessTokenLifetime),
    input(
      BLOCK.enabled,
      "Enabled",
      e.enabled ? { ...enabled, initial_options: enabled.options } : enabled,
      { optional: true },
    ),
  ];
}

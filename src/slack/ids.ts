// Callback, action and block ids shared by the view/message builders and the listeners.
// Ids are part of the contract with messages already posted in Slack: renaming one
// strands the buttons on every message that is still open, so treat them as stable.

/** Pane 1, "Add Client". */
export const CLIENT_FORM = "hcb_client_form";
/** Pane 2, "Create Secret" (also the only pane when rotating an existing client's secret). */
export const SECRET_FORM = "hcb_secret_form";
/** The lifecycle forms (issue 11): Edit Client, Disable/Enable Client, Delete Client/Secret. */
export const EDIT_FORM = "hcb_edit_form";
export const TOGGLE_FORM = "hcb_toggle_form";
export const DELETE_CLIENT_FORM = "hcb_delete_client_form";
export const DELETE_SECRET_FORM = "hcb_delete_secret_form";
/** The optional reason an approver gives when denying. */
export const DENY_FORM = "hcb_deny_form";

// Button action ids. A button's `value` is only ever an id (request id or ADH client id);
// everything else is re-read from the store when the click arrives.
/** Approvals message; value: request id. */
export const APPROVE = "hcb_approve";
/** Approvals message; value: request id. Opens the deny-reason modal. */
export const DENY = "hcb_deny";
/** Requester's receipt and status list; value: request id. */
export const CANCEL = "hcb_cancel";
/** Approvals message of a failed request; value: request id. */
export const RETRY = "hcb_retry";
/** Requester's DM after creation; value: request id. */
export const REVEAL = "hcb_reveal";
/**
 * `/hybrid-client list`: each client's overflow menu; option value `<action>:<client id>`
 * with action one of CLIENT_MENU_ACTION.
 */
export const CLIENT_MENU = "hcb_client_menu";
export const CLIENT_MENU_ACTION = {
  newSecret: "secret",
  edit: "edit",
  disable: "disable",
  enable: "enable",
  delete: "delete",
} as const;
/** Requester's revealed-rotation DM (issue 11 item 5); value: request id. */
export const DELETE_OLD_SECRET = "hcb_delete_old_secret";
/** Expiry reminder; value: ADH client id. */
export const REQUEST_NEW_SECRET = "hcb_request_new_secret";

/**
 * Block ids of every input. Inline errors (`response_action: "errors"`) are keyed by
 * block id, and submitted values arrive in `view.state.values[blockId][actionId]`.
 */
export const BLOCK = {
  name: "name",
  allowRefreshToken: "allow_refresh_token",
  redirectUris: "redirect_uris",
  logoutRedirectUris: "logout_redirect_uris",
  tokenLifetime: "token_lifetime",
  reminderChannel: "reminder_channel",
  reason: "reason",
  description: "description",
  expirationDate: "expiration_date",
  neverExpires: "never_expires",
  denyReason: "deny_reason",
  enabled: "enabled",
  confirmName: "confirm_name",
  /** Create Secret for an existing client: the secret the rotation retires. */
  replaceSecret: "replace_secret",
} as const;
export type InputBlockId = (typeof BLOCK)[keyof typeof BLOCK];

/**
 * Action id of the element inside each input block: the same string as its block id,
 * so `state.values[BLOCK.x][INPUT_ACTION.x]` reads naturally and there is one name to keep stable.
 */
export const INPUT_ACTION = BLOCK;

/** Checkbox option values (what `selected_options[].value` carries). */
export const OPTION = {
  allowRefreshToken: "allow_refresh_token",
  neverExpires: "never_expires",
  enabled: "enabled",
} as const;

// The people around a request (App Home and the global shortcut).
/** App Home, Waiting for your approval; value: request id. Deny reuses DENY (same modal). */
export const HOME_APPROVE = "hcb_home_approve";
/** App Home, Your requests; value: request id. */
export const HOME_CANCEL = "hcb_home_cancel";
/** App Home's Request a hybrid client button; opens the same form as `add`. */
export const HOME_REQUEST = "hcb_home_request";
/** The global shortcut "Request a hybrid client" (manifest `features.shortcuts`). */
export const REQUEST_SHORTCUT = "hcb_request_shortcut";

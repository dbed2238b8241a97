// Slack's Block Kit limits in one table, and the one truncation rule every builder uses
// (it lives in src/text.ts, since storage cuts stored text by the same rule).

export const LIMITS = {
  modalTitle: 24,
  modalSubmit: 24,
  modalClose: 24,
  viewBlocks: 100,
  messageBlocks: 50,
  sectionText: 3000,
  field: 2000,
  sectionFields: 10,
  header: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  checkboxOptions: 10,
  optionText: 75,
  optionValue: 75,
  privateMetadata: 3000,
  /** callback_id, block_id, action_id. */
  id: 255,
  /** The top-level `text` of a message (notifications, screen readers, old clients). */
  fallbackText: 4000,
  /** plain_text_input `max_length` cannot be set higher. */
  plainTextInputMaxLength: 3000,
} as const;

export { ELLIPSIS, keepWhole, truncate } from "../../text.js";

// Block Kit validation for the fake Slack: the problems come out in Slack's own format,
// "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]", and a
// refusal is Slack's `{ok:false,error}` answer.
import { LIMITS } from "./slack-limits.js";

export type Json = Record<string, unknown>;
export type Surface = "message" | "modal";

export const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export class Problems {
  readonly list: string[] = [];
  add(pointer: string, message: string): void {
    this.list.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }
}

export const BLOCK_TYPES: Record<Surface, ReadonlySet<string>> = {
  message: new Set([
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "markdown",
    "rich_text",
    "section",
    "table",
    "video",
  ]),
  modal: new Set([
    "actions",
    "context",
    "divider",
    "header",
    "image",
    "input",
    "rich_text",
    "section",
    "video",
  ]),
};

export const SELECTS = [
  "static_select",
  "external_select",
  "users_select",
  "conversations_select",
  "channels_select",
];
export const MULTI_SELECTS = SELECTS.map((s) => `multi_${s}`);
export const ACTIONS_ELEMENTS = new Set([
  "button",
  "checkboxes",
  "datepicker",
  "datetimepicker",
  "overflow",
  "radio_buttons",
  "timepicker",
  "workflow_button",
  ...SELECTS,
  ...MULTI_SELECTS,
]);
export const ACCESSORY_ELEMENTS = new Set([...ACTIONS_ELEMENTS, "image"]);
export const INPUT_ELEMENTS = new Set([
  "checkboxes",
  "datepicker",
  "datetimepicker",
  "email_text_input",
  "file_input",
  "number_input",
  "plain_text_input",
  "radio_buttons",
  "rich_text_input",
  "timepicker",
  "url_text_input",
  ...SELECTS,
  ...MULTI_SELECTS,
]);

export function checkString(
  p: Problems,
  value: unknown,
  at: string,
  max: number,
  opts: { required?: boolean; min?: number } = {},
): void {
  if (value === undefined || value === null) {
    if (opts.required) p.add(at, "is required");
    return;
  }
  if (typeof value !== "string") {
    p.add(at, "must be a string");
    return;
  }
  const min = opts.min ?? 0;
  if (value.length < min) p.add(at, `must be more than ${min - 1} characters`);
  if (value.length > max) p.add(at, `must be less than ${max + 1} characters`);
}

export function checkText(
  p: Problems,
  value: unknown,
  at: string,
  max: number,
  opts: { required?: boolean; plainOnly?: boolean } = {},
): void {
  if (value === undefined) {
    if (opts.required) p.add(at, "is required");
    return;
  }
  if (!isObject(value)) {
    p.add(at, "must provide an object");
    return;
  }
  if (value.type !== "plain_text" && (opts.plainOnly || value.type !== "mrkdwn")) {
    p.add(`${at}/type`, opts.plainOnly ? "must be plain_text" : "must be plain_text or mrkdwn");
  }
  checkString(p, value.text, `${at}/text`, max, { required: true, min: 1 });
}

export function checkEnum(
  p: Problems,
  value: unknown,
  at: string,
  allowed: readonly string[],
): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    p.add(at, `must be one of ${allowed.join(", ")}`);
  }
}

export function checkBoolean(p: Problems, value: unknown, at: string): void {
  if (value !== undefined && typeof value !== "boolean") p.add(at, "must be a boolean");
}

export function checkArray(
  p: Problems,
  value: unknown,
  at: string,
  min: number,
  max: number,
): value is unknown[] {
  if (!Array.isArray(value)) {
    p.add(at, "must provide an array");
    return false;
  }
  if (value.length < min) p.add(at, `must provide at least ${min} items`);
  if (value.length > max) p.add(at, `no more than ${max} items allowed`);
  return true;
}

export function checkConfirm(p: Problems, c: unknown, at: string): void {
  if (c === undefined) return;
  if (!isObject(c)) {
    p.add(at, "must provide an object");
    return;
  }
  checkText(p, c.title, `${at}/title`, LIMITS.confirmTitle, { required: true, plainOnly: true });
  checkText(p, c.text, `${at}/text`, LIMITS.confirmText, { required: true });
  checkText(p, c.confirm, `${at}/confirm`, LIMITS.confirmButton, {
    required: true,
    plainOnly: true,
  });
  checkText(p, c.deny, `${at}/deny`, LIMITS.confirmButton, { required: true, plainOnly: true });
  checkEnum(p, c.style, `${at}/style`, ["primary", "danger"]);
}

export function checkOptions(
  p: Problems,
  options: unknown,
  at: string,
  max: number,
  mrkdwnAllowed: boolean,
): void {
  if (!checkArray(p, options, at, 1, max)) return;
  options.forEach((o, i) => {
    const here = `${at}/${i}`;
    if (!isObject(o)) {
      p.add(here, "must provide an object");
      return;
    }
    checkText(p, o.text, `${here}/text`, LIMITS.optionText, {
      required: true,
      plainOnly: !mrkdwnAllowed,
    });
    checkString(p, o.value, `${here}/value`, LIMITS.optionValue, { required: true, min: 1 });
    checkText(p, o.description, `${here}/description`, LIMITS.optionText);
    checkString(p, o.url, `${here}/url`, LIMITS.url);
  });
}

/** Slack insists that initial options are copies of options the element offers. */
export function checkInitialOptions(
  p: Problems,
  initial: unknown[],
  options: unknown,
  at: string,
): void {
  const offered = Array.isArray(options) ? options.filter(isObject) : [];
  const key = (o: Json) => `${String(o.value)}\u0000${String(isObject(o.text) && o.text.text)}`;
  const keys = new Set(offered.map(key));
  initial.forEach((o, i) => {
    if (!isObject(o) || !keys.has(key(o))) p.add(`${at}/${i}`, "must match one of the options");
  });
}

export const DECIMAL = /^-?\d+(\.\d+)?$/;
export const INTEGER = /^-?\d+$/;

export function checkNumberInput(p: Problems, el: Json, at: string): void {
  if (typeof el.is_decimal_allowed !== "boolean") {
    p.add(`${at}/is_decimal_allowed`, "is required and must be a boolean");
  }
  const pattern = el.is_decimal_allowed === true ? DECIMAL : INTEGER;
  const numbers: Record<string, number> = {};
  for (const field of ["min_value", "max_value", "initial_value"]) {
    const v = el[field];
    if (v === undefined) continue;
    if (typeof v !== "string" || !pattern.test(v)) {
      p.add(`${at}/${field}`, "must be a string holding a number the element allows");
    } else {
      numbers[field] = Number(v);
    }
  }
  const { min_value: min, max_value: max, initial_value: initial } = numbers;
  if (min !== undefined && max !== undefined && min > max) {
    p.add(`${at}/min_value`, "must be less than or equal to max_value");
  }
  if (
    initial !== undefined &&
    ((min !== undefined && initial < min) || (max !== undefined && initial > max))
  ) {
    p.add(`${at}/initial_value`, "must be between min_value and max_value");
  }
}

export function checkElement(
  p: Problems,
  el: unknown,
  at: string,
  allowed: ReadonlySet<string>,
): void {
  if (!isObject(el)) {
    p.add(at, "must provide an object");
    return;
  }
  if (typeof el.type !== "string" || !allowed.has(el.type)) {
    p.add(`${at}/type`, `unsupported type: ${String(el.type)}`);
    return;
  }
  if (el.type !== "image") {
    checkString(p, el.action_id, `${at}/action_id`, LIMITS.id, { min: 1 });
  }
  checkConfirm(p, el.confirm, `${at}/confirm`);
  checkText(p, el.placeholder, `${at}/placeholder`, LIMITS.placeholder, { plainOnly: true });
  checkBoolean(p, el.focus_on_load, `${at}/focus_on_load`);
  switch (el.type) {
    case "button":
      checkText(p, el.text, `${at}/text`, LIMITS.buttonText, { required: true, plainOnly: true });
      checkString(p, el.value, `${at}/value`, LIMITS.buttonValue);
      checkString(p, el.url, `${at}/url`, LIMITS.url);
      checkString(
        p,
        el.accessibility_label,
        `${at}/accessibility_label`,
        LIMITS.accessibilityLabel,
      );
      checkEnum(p, el.style, `${at}/style`, ["primary", "danger"]);
      break;
    case "checkboxes":
    case "radio_buttons":
      checkOptions(p, el.options, `${at}/options`, LIMITS.choiceOptions, true);
      break;
    case "static_select":
    case "multi_static_select":
      if (el.option_groups === undefined) {
        checkOptions(p, el.options, `${at}/options`, LIMITS.selectOptions, false);
      }
      break;
    case "overflow":
      checkOptions(p, el.options, `${at}/options`, LIMITS.overflowOptions, false);
      break;
    case "plain_text_input": {
      checkBoolean(p, el.multiline, `${at}/multiline`);
      checkString(p, el.initial_value, `${at}/initial_value`, LIMITS.plainTextInputLength);
      for (const field of ["min_length", "max_length"]) {
        const v = el[field];
        if (
          v !== undefined &&
          (!Number.isInteger(v) || (v as number) < 0 || (v as number) > LIMITS.plainTextInputLength)
        ) {
          p.add(
            `${at}/${field}`,
            `must be a whole number from 0 to ${LIMITS.plainTextInputLength}`,
          );
        }
      }
      if (
        typeof el.min_length === "number" &&
        typeof el.max_length === "number" &&
        el.min_length > el.max_length
      ) {
        p.add(`${at}/min_length`, "must be less than or equal to max_length");
      }
      break;
    }
    case "number_input":
      checkNumberInput(p, el, at);
      break;
    case "url_text_input":
    case "email_text_input":
      checkString(p, el.initial_value, `${at}/initial_value`, LIMITS.plainTextInputLength);
      break;
    case "datepicker":
      if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date))) {
        p.add(`${at}/initial_date`, "must be a date in the format YYYY-MM-DD");
      }
      break;
    case "datetimepicker":
      if (el.initial_date_time !== undefined && !Number.isInteger(el.initial_date_time)) {
        p.add(`${at}/initial_date_time`, "must be a whole number of Unix seconds");
      }
      break;
    case "timepicker":
      if (el.initial_time !== undefined && !/^\d{2}:\d{2}$/.test(String(el.initial_time))) {
        p.add(`${at}/initial_time`, "must be a time in the format HH:mm");
      }
      break;
    case "conversations_select":
      checkBoolean(p, el.default_to_current_conversation, `${at}/default_to_current_conversation`);
      checkBoolean(p, el.response_url_enabled, `${at}/response_url_enabled`);
      checkString(p, el.initial_conversation, `${at}/initial_conversation`, LIMITS.id, { min: 1 });
      break;
    case "users_select":
      checkString(p, el.initial_user, `${at}/initial_user`, LIMITS.id, { min: 1 });
      break;
    case "image":
      checkString(p, el.alt_text, `${at}/alt_text`, LIMITS.imageAltText, {
        required: true,
        min: 1,
      });
      if (el.image_url === undefined && el.slack_file === undefined) {
        p.add(at, "must provide image_url or slack_file");
      }
      checkString(p, el.image_url, `${at}/image_url`, LIMITS.url);
      break;
  }
  if (Array.isArray(el.initial_options)) {
    checkInitialOptions(p, el.initial_options, el.options, `${at}/initial_options`);
  }
  if (el.initial_option !== undefined) {
    checkInitialOptions(p, [el.initial_option], el.options, `${at}/initial_option`);
  }
}

export function checkBlock(p: Problems, block: unknown, at: string, surface: Surface): void {
  if (!isObject(block)) {
    p.add(at, "must provide an object");
    return;
  }
  if (typeof block.type !== "string" || !BLOCK_TYPES[surface].has(block.type)) {
    p.add(`${at}/type`, `unsupported type: ${String(block.type)}`);
    return;
  }
  checkString(p, block.block_id, `${at}/block_id`, LIMITS.id, { min: 1 });
  switch (block.type) {
    case "section":
      if (block.text === undefined && block.fields === undefined) {
        p.add(at, "must provide text or fields");
      }
      checkText(p, block.text, `${at}/text`, LIMITS.sectionText);
      if (
        block.fields !== undefined &&
        checkArray(p, block.fields, `${at}/fields`, 1, LIMITS.sectionFields)
      ) {
        block.fields.forEach((f, i) => {
          checkText(p, f, `${at}/fields/${i}`, LIMITS.sectionFieldText, { required: true });
        });
      }
      if (block.accessory !== undefined) {
        checkElement(p, block.accessory, `${at}/accessory`, ACCESSORY_ELEMENTS);
      }
      break;
    case "header":
      checkText(p, block.text, `${at}/text`, LIMITS.headerText, {
        required: true,
        plainOnly: true,
      });
      break;
    case "context":
      if (checkArray(p, block.elements, `${at}/elements`, 1, LIMITS.contextElements)) {
        block.elements.forEach((e, i) => {
          const here = `${at}/elements/${i}`;
          if (isObject(e) && e.type === "image") checkElement(p, e, here, new Set(["image"]));
          else checkText(p, e, here, LIMITS.contextText, { required: true });
        });
      }
      break;
    case "actions":
      if (checkArray(p, block.elements, `${at}/elements`, 1, LIMITS.actionsElements)) {
        const actionIds = new Set<unknown>();
        block.elements.forEach((e, i) => {
          checkElement(p, e, `${at}/elements/${i}`, ACTIONS_ELEMENTS);
          if (isObject(e) && e.action_id !== undefined) {
            if (actionIds.has(e.action_id)) {
              p.add(`${at}/elements/${i}/action_id`, "must be unique within the block");
            }
            actionIds.add(e.action_id);
          }
        });
      }
      break;
    case "input":
      checkText(p, block.label, `${at}/label`, LIMITS.inputLabel, {
        required: true,
        plainOnly: true,
      });
      checkText(p, block.hint, `${at}/hint`, LIMITS.inputHint, { plainOnly: true });
      checkBoolean(p, block.optional, `${at}/optional`);
      checkBoolean(p, block.dispatch_action, `${at}/dispatch_action`);
      if (block.element === undefined) p.add(`${at}/element`, "is required");
      else checkElement(p, block.element, `${at}/element`, INPUT_ELEMENTS);
      break;
    case "image":
      checkElement(p, { ...block, type: "image" }, at, new Set(["image"]));
      checkText(p, block.title, `${at}/title`, LIMITS.imageTitle, { plainOnly: true });
      break;
    case "markdown":
      checkString(p, block.text, `${at}/text`, LIMITS.markdownBlockText, {
        required: true,
        min: 1,
      });
      break;
  }
}

export function checkBlocks(
  p: Problems,
  blocks: unknown,
  at: string,
  surface: Surface,
  max: number,
): void {
  if (!checkArray(p, blocks, at, 0, max)) return;
  const blockIds = new Set<unknown>();
  blocks.forEach((b, i) => {
    checkBlock(p, b, `${at}/${i}`, surface);
    if (isObject(b) && b.block_id !== undefined) {
      if (blockIds.has(b.block_id)) p.add(`${at}/${i}/block_id`, "must be unique");
      blockIds.add(b.block_id);
    }
  });
}

/** Problems with a modal view, or an empty list. `view_too_large` is reported apart. */
export function checkView(view: unknown, at = "/view"): string[] {
  const p = new Problems();
  if (!isObject(view)) {
    p.add(at, "must provide an object (a JSON-encoded view)");
    return p.list;
  }
  checkEnum(p, view.type, `${at}/type`, ["modal"]);
  if (view.type === undefined) p.add(`${at}/type`, "is required");
  checkText(p, view.title, `${at}/title`, LIMITS.viewTitle, { required: true, plainOnly: true });
  checkText(p, view.submit, `${at}/submit`, LIMITS.viewSubmit, { plainOnly: true });
  checkText(p, view.close, `${at}/close`, LIMITS.viewClose, { plainOnly: true });
  checkBlocks(p, view.blocks, `${at}/blocks`, "modal", LIMITS.modalBlocks);
  const hasInput =
    Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === "input");
  if (hasInput && view.submit === undefined) {
    p.add(`${at}/submit`, "is required when the view has input blocks");
  }
  checkString(p, view.private_metadata, `${at}/private_metadata`, LIMITS.privateMetadata);
  checkString(p, view.callback_id, `${at}/callback_id`, LIMITS.id);
  checkString(p, view.external_id, `${at}/external_id`, LIMITS.id);
  checkBoolean(p, view.clear_on_close, `${at}/clear_on_close`);
  checkBoolean(p, view.notify_on_close, `${at}/notify_on_close`);
  checkBoolean(p, view.submit_disabled, `${at}/submit_disabled`);
  return p.list;
}

/** A Home tab view (views.publish): type "home", at most 100 blocks, no title or inputs' submit. */
export function checkHomeView(view: unknown, at = "/view"): string[] {
  const p = new Problems();
  if (!isObject(view)) {
    p.add(at, "must provide an object (a JSON-encoded view)");
    return p.list;
  }
  checkEnum(p, view.type, `${at}/type`, ["home"]);
  if (view.type === undefined) p.add(`${at}/type`, "is required");
  checkBlocks(p, view.blocks, `${at}/blocks`, "modal", LIMITS.modalBlocks);
  checkString(p, view.private_metadata, `${at}/private_metadata`, LIMITS.privateMetadata);
  checkString(p, view.callback_id, `${at}/callback_id`, LIMITS.id);
  checkString(p, view.external_id, `${at}/external_id`, LIMITS.id);
  return p.list;
}

/** Slack's error for a message (chat.postMessage, chat.update, chat.postEphemeral, response_url), or undefined. */
export function checkMessage(args: Json, requireContent: boolean): Refusal | undefined {
  if (args.text !== undefined && typeof args.text !== "string") {
    return new Refusal("invalid_arguments", ["[ERROR] must be a string [json-pointer:/text]"]);
  }
  if (typeof args.text === "string" && args.text.length > LIMITS.messageText) {
    return new Refusal("msg_too_long");
  }
  if (typeof args.blocks === "string") return new Refusal("invalid_blocks_format");
  if (args.blocks !== undefined) {
    const p = new Problems();
    checkBlocks(p, args.blocks, "/blocks", "message", LIMITS.messageBlocks);
    if (p.list.length > 0) return new Refusal("invalid_blocks", p.list);
  }
  const empty = (v: unknown) => v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
  if (requireContent && empty(args.text) && empty(args.blocks) && empty(args.attachments)) {
    return new Refusal("no_text");
  }
  return undefined;
}

/** An expected `{ok:false,error}` answer, thrown from a method handler. */
export class Refusal extends Error {
  constructor(
    readonly error: string,
    readonly messages: string[] = [],
    readonly extra: Json = {},
  ) {
    super(error);
  }
  toBody(): Json {
    const body: Json = { ok: false, error: this.error, ...this.extra };
    if (this.messages.length > 0) {
      body.errors = this.messages;
      body.response_metadata = { messages: this.messages };
    }
    return body;
  }
}

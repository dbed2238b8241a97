// A checker that walks a built view or message and names every Block Kit limit it
// breaks (the boundary tests' oracle). Deliberately untyped: it walks plain JSON, so it
// also catches what a builder got wrong at the type level.
import { LIMITS } from "../../src/slack/kit/limits.js";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null;
const textOf = (v: unknown): string | undefined =>
  isObject(v) && typeof v.text === "string" ? v.text : undefined;

/** Collects violations; `over` and `count` only report when a limit is exceeded. */
interface Report {
  over(path: string, value: string | undefined, max: number): void;
  count(path: string, value: unknown, max: number): void;
  fail(message: string): void;
}

/**
 * Every Block Kit limit the view (`type: "modal"`) or message (`{ text, blocks }`) breaks,
 * as readable paths, e.g. `blocks[2].text: 3004 > 3000`. Empty when it is within limits.
 */
export function limitViolations(surface: unknown): string[] {
  const out: string[] = [];
  const r: Report = {
    over: (path, value, max) => {
      if (value !== undefined && value.length > max) out.push(`${path}: ${value.length} > ${max}`);
    },
    count: (path, value, max) => {
      if (Array.isArray(value) && value.length > max)
        out.push(`${path}: ${value.length} items > ${max}`);
    },
    fail: (message) => {
      out.push(message);
    },
  };
  if (!isObject(surface)) return ["surface is not an object"];

  const blocks = Array.isArray(surface.blocks) ? surface.blocks : [];
  if (surface.type === "modal") {
    r.over("title", textOf(surface.title), LIMITS.modalTitle);
    r.over("submit", textOf(surface.submit), LIMITS.modalSubmit);
    r.over("close", textOf(surface.close), LIMITS.modalClose);
    r.count("blocks", blocks, LIMITS.viewBlocks);
    r.over("private_metadata", asString(surface.private_metadata), LIMITS.privateMetadata);
    r.over("callback_id", asString(surface.callback_id), LIMITS.id);
    const hasInput = blocks.some((b) => isObject(b) && b.type === "input");
    if (hasInput && surface.submit === undefined) r.fail("submit: required with input blocks");
  } else {
    r.count("blocks", blocks, LIMITS.messageBlocks);
    r.over("text", asString(surface.text), LIMITS.fallbackText);
  }

  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const path = `blocks[${i}]`;
    if (!isObject(block)) return;
    const id = asString(block.block_id);
    if (id !== undefined) {
      r.over(`${path}.block_id`, id, LIMITS.id);
      if (blockIds.has(id)) r.fail(`${path}.block_id: duplicate ${id}`);
      blockIds.add(id);
    }
    checkBlock(path, block, r);
  });
  return out;
}

function checkBlock(path: string, block: Json, r: Report): void {
  switch (block.type) {
    case "section": {
      const text = textOf(block.text);
      r.over(`${path}.text`, text, LIMITS.sectionText);
      if (text === "") r.fail(`${path}.text: empty`);
      if (block.text === undefined && !Array.isArray(block.fields))
        r.fail(`${path}: needs text or fields`);
      r.count(`${path}.fields`, block.fields, LIMITS.sectionFields);
      if (Array.isArray(block.fields))
        block.fields.forEach((f, j) => {
          r.over(`${path}.fields[${j}]`, textOf(f), LIMITS.field);
        });
      if (isObject(block.accessory)) checkElement(`${path}.accessory`, block.accessory, r);
      break;
    }
    case "header":
      r.over(`${path}.text`, textOf(block.text), LIMITS.header);
      break;
    case "context":
      r.count(`${path}.elements`, block.elements, LIMITS.contextElements);
      if (Array.isArray(block.elements))
        block.elements.forEach((e, j) => {
          r.over(`${path}.elements[${j}]`, textOf(e), LIMITS.sectionText);
        });
      break;
    case "actions":
      r.count(`${path}.elements`, block.elements, LIMITS.actionsElements);
      if (Array.isArray(block.elements)) {
        const actionIds = new Set<string>();
        block.elements.forEach((e, j) => {
          if (!isObject(e)) return;
          const id = asString(e.action_id);
          if (id !== undefined && actionIds.has(id))
            r.fail(`${path}.elements[${j}].action_id: duplicate ${id}`);
          if (id !== undefined) actionIds.add(id);
          checkElement(`${path}.elements[${j}]`, e, r);
        });
      }
      break;
    case "input":
      r.over(`${path}.label`, textOf(block.label), LIMITS.inputLabel);
      r.over(`${path}.hint`, textOf(block.hint), LIMITS.inputHint);
      if (isObject(block.element)) checkElement(`${path}.element`, block.element, r);
      break;
  }
}

function checkElement(path: string, el: Json, r: Report): void {
  r.over(`${path}.action_id`, asString(el.action_id), LIMITS.id);
  r.over(`${path}.placeholder`, textOf(el.placeholder), LIMITS.placeholder);
  if (el.type === "button") {
    r.over(`${path}.text`, textOf(el.text), LIMITS.buttonText);
    r.over(`${path}.value`, asString(el.value), LIMITS.buttonValue);
  }
  if (el.type === "plain_text_input") {
    const max = typeof el.max_length === "number" ? el.max_length : LIMITS.plainTextInputMaxLength;
    if (max > LIMITS.plainTextInputMaxLength)
      r.fail(`${path}.max_length: ${max} > ${LIMITS.plainTextInputMaxLength}`);
    r.over(`${path}.initial_value`, asString(el.initial_value), max);
  }
  if (el.type === "checkboxes" || el.type === "radio_buttons") {
    r.count(`${path}.options`, el.options, LIMITS.checkboxOptions);
    if (Array.isArray(el.options))
      el.options.forEach((o, j) => {
        if (!isObject(o)) return;
        r.over(`${path}.options[${j}].text`, textOf(o.text), LIMITS.optionText);
        r.over(`${path}.options[${j}].value`, asString(o.value), LIMITS.optionValue);
      });
  }
  if (isObject(el.confirm)) {
    const c = el.confirm;
    r.over(`${path}.confirm.title`, textOf(c.title), LIMITS.confirmTitle);
    r.over(`${path}.confirm.text`, textOf(c.text), LIMITS.confirmText);
    r.over(`${path}.confirm.confirm`, textOf(c.confirm), LIMITS.confirmButton);
    r.over(`${path}.confirm.deny`, textOf(c.deny), LIMITS.confirmButton);
  }
}

const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

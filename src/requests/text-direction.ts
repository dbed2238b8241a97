// Text that displays in another order than it is stored: refused wherever people type.

/**
 * Bidirectional-control characters (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) make
 * text display in a different order than it is stored: an approver could read a name or
 * a URL other than the one ADH gets. Refused in every text field.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

export function hasBidiControl(value: unknown): boolean {
  return typeof value === "string" && BIDI_CONTROL.test(value);
}

export const bidiError = (label: string) =>
  `${label} contains invisible text-direction characters (such as U+202E), which make text read differently than it is; retype it without them`;

// Cutting text to a length without splitting a character: shared by the Slack layer
// (Block Kit limits) and storage (bounded stored names), so it depends on neither.

export const ELLIPSIS = "…";

/**
 * Cuts `text` to at most `max` UTF-16 code units, ending in "…" when anything was cut.
 * Slack counts characters; code units are never fewer, so counting them is the safe side.
 * A surrogate pair (an emoji, say) is never split in half.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  return keepWhole(text.slice(0, max - 1)) + ELLIPSIS;
}

/** Drops trailing high surrogates left by a cut (or already unpaired in what was typed). */
export function keepWhole(cut: string): string {
  let end = cut.length;
  while (end > 0) {
    const last = cut.charCodeAt(end - 1);
    if (last < 0xd800 || last > 0xdbff) break;
    end--;
  }
  return cut.slice(0, end);
}

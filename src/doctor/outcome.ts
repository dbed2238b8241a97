// One check's result and the words shared by every check: what failed, why (with the
// network cause when there is one), and the fix.
import { describeNetworkCause, networkCode } from "../net/network-cause.js";

export type Outcome =
  | { status: "ok"; detail?: string }
  | { status: "failed"; problem: string; fix: string }
  | { status: "skipped"; reason: string };

export const ok = (detail?: string): Outcome =>
  detail ? { status: "ok", detail } : { status: "ok" };
export const failed = (problem: string, fix: string): Outcome => ({
  status: "failed",
  problem,
  fix,
});
export const skipped = (reason: string): Outcome => ({ status: "skipped", reason });

export function messageOf(error: unknown): string {
  const e = error as { original?: unknown; message?: unknown };
  const text =
    e?.original instanceof Error
      ? e.original.message
      : typeof e?.message === "string" && e.message
        ? e.message
        : String(error);
  return withNetworkCause(text, error);
}

/** "fetch failed" becomes the cause (ENOTFOUND, ECONNREFUSED, timeout); others gain it. */
export function withNetworkCause(text: string, error: unknown): string {
  const cause = describeNetworkCause(error);
  const code = networkCode(error);
  if (!cause || !code) return text;
  if (/^fetch failed$/i.test(text.trim())) return cause;
  return text.includes(code) ? text : `${text} (${cause})`;
}

// AdhError: every failure of an ADH call, HTTP or network, in one typed shape that
// carries what operators need (status, Operation-Id) and whether trying later may help.
import { STATUS_CODES } from "node:http";

/** Statuses after which the same request may succeed later. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export interface AdhErrorInit {
  route: string;
  status?: number | undefined;
  operationId?: string | undefined;
  error?: string | undefined;
  reason?: string | undefined;
  resolution?: string | undefined;
  /** Defaults from status: RETRYABLE_STATUSES, or true for network errors (no status). */
  retryable?: boolean | undefined;
  /** Short words for a network failure, e.g. "connection reset". */
  networkProblem?: string | undefined;
  cause?: unknown;
}

// What to do next, when ADH did not say it itself.
const DEFAULT_RESOLUTION: Record<number, string> = {
  401: "Check ADH_CLIENT_ID and ADH_CLIENT_SECRET; the bot could not authenticate to ADH.",
  403: "Give the bot's ADH client the Tenant Administrator role.",
  404: "Check ADH_TENANT_ID and that the item still exists.",
  405: "Use the global host https://uswe.datahub.connect.aveva.com for ADH_BASE_URL; identity changes are only accepted there.",
  408: "ADH timed out; try again.",
  429: "ADH is rate-limiting the bot; try again in a minute.",
  500: "ADH failed; try again later.",
  502: "ADH is unavailable; try again later.",
  503: "ADH is unavailable; try again later.",
  504: "ADH timed out; try again later.",
};

const SETUP_STATUSES = new Set([401, 403, 405]);

// Keep ADH's free text to one readable line whatever it sends.
const clip = (text: string | undefined, max = 300): string | undefined => {
  if (text === undefined) return undefined;
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return undefined;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export class AdhError extends Error {
  /** HTTP status; undefined for network errors and an exceeded deadline. */
  readonly status: number | undefined;
  readonly operationId: string | undefined;
  readonly error: string | undefined;
  readonly reason: string | undefined;
  readonly resolution: string | undefined;
  readonly retryable: boolean;
  /** Route template, e.g. "POST /HybridClients". */
  readonly route: string;
  private readonly networkProblem: string | undefined;

  constructor(init: AdhErrorInit) {
    super("", init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "AdhError";
    this.route = init.route;
    this.status = init.status;
    this.operationId = clip(init.operationId, 100);
    this.error = clip(init.error);
    this.reason = clip(init.reason);
    this.resolution = clip(init.resolution);
    this.networkProblem = clip(init.networkProblem);
    this.retryable =
      init.retryable ?? (init.status === undefined ? true : RETRYABLE_STATUSES.has(init.status));
    this.message = this.describe();
  }

  /** One line for users/operators: what ADH said + "(Operation-Id …)". Never contains secrets. */
  describe(): string {
    const opId = this.operationId ? ` (Operation-Id ${this.operationId})` : "";
    if (this.status === undefined) {
      return `Could not reach ADH for ${this.route}: ${this.networkProblem ?? "network error"}. Try again later.${opId}`;
    }
    const statusText = STATUS_CODES[this.status] ?? "";
    const said = [this.error, this.reason].filter(Boolean).join(" ");
    const ours = DEFAULT_RESOLUTION[this.status];
    const parts = [`ADH answered ${this.status} ${statusText} to ${this.route}`.trimEnd()];
    if (said) parts[0] += `: ${said}`;
    if (this.resolution) parts.push(this.resolution);
    // These are set-up problems of the bot itself: ADH's generic advice cannot name the fix.
    if (ours && (!this.resolution || SETUP_STATUSES.has(this.status))) parts.push(ours);
    return `${parts.map((p) => (/[.!?…]$/.test(p) ? p : `${p}.`)).join(" ")}${opId}`;
  }
}

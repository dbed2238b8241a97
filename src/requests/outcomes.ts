// What use cases answer: values and codes only. The Slack layer words every one of them.
import type { HybridClientRequest } from "./model.js";
import type { Refusal } from "./state-machine.js";

/** Why the requester may not (or could not be checked to) ask for a client. */
export type RequesterRefusal =
  | { code: "no-email" }
  | { code: "unknown-user"; email: string }
  | { code: "not-admin" }
  | { code: "adh-unavailable"; detail: string };

/** `adhUserId`: the ADH user found by email, for the audit trail (absent from a reused check). */
export type RequesterCheck = { ok: true; adhUserId?: string } | ({ ok: false } & RequesterRefusal);

/** Why a click changed nothing; the Slack layer words it for the clicker. */
export type ClickRefusal =
  | Refusal
  | { code: "not-found" }
  | { code: "not-approver" }
  | { code: "nothing-changed" };

/** Outcome of a click, for the listener to show the clicker (ephemeral). */
export type ClickOutcome = { ok: true } | { ok: false; refusal: ClickRefusal };

/** Why a submit stored nothing (or withdrew what it stored). */
export type SubmitRefusal =
  | { code: "requester"; check: RequesterRefusal }
  | { code: "draft-expired" }
  | { code: "approval-post-failed"; detail: string }
  /** MAX_OPEN_REQUESTS_PER_USER reached: nothing stored. */
  | { code: "too-many-open"; limit: number }
  /** The reminder channel is not one the bot can post to (checked at submit). */
  | { code: "reminder-channel"; problem: ReminderChannelProblem }
  /** A rotation of a client at ADH's limit must name the secret it retires. */
  | { code: "replace-required" };

/** Why a reminder channel was refused at submit. */
export type ReminderChannelProblem = "not-found" | "not-a-channel" | "not-member";

export type SubmitOutcome =
  | { ok: true; request: HybridClientRequest }
  | { ok: false; refusal: SubmitRefusal };

/** Why a rotation form cannot open for this client. */
export type RotationRefusal =
  | { code: "not-a-client-id" }
  | { code: "no-such-client"; clientId: string }
  | { code: "secret-limit"; clientId: string; limit: number }
  | { code: "adh-unavailable"; detail: string };

export type RotationCheck =
  | {
      ok: true;
      clientName: string;
      /** At ADH's limit: the form opens but requires a Replace secret choice. */
      replaceRequired?: boolean;
    }
  | { ok: false; refusal: RotationRefusal };

export type RevealOutcome =
  | {
      ok: true;
      clientId: string;
      clientName: string;
      /** The one-time value: handed to the click's response_url and then dropped. */
      secret: string;
      secretId: number;
      expiration: string | null;
    }
  | { ok: false; refusal: ClickRefusal }
  /** ADH refused or failed the mint; nothing was revealed and the button stays usable. */
  | { ok: false; mintFailed: string }
  /** The requester no longer passes the role check: nothing was minted. */
  | { ok: false; requesterRefused: RequesterRefusal }
  /** The Reveal button's deadline passed: nothing was minted; request again. */
  | { ok: false; revealExpired: { clientId: string; deadline: number } };

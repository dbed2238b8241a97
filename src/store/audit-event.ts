// The audit event: its schema, its canonical JSON (what the chain hashes) and its stable id.
import { createHash } from "node:crypto";

export const AUDIT_SCHEMA_VERSION = 1;

export type AuditEventType =
  | "request.submitted"
  | "request.approved"
  | "request.denied"
  | "request.cancelled"
  | "request.expired"
  | "request.failed"
  | "request.retried"
  | "request.escalated"
  /** A kind with nothing to create (a new secret) passed its apply checks: ready to reveal. */
  | "request.applied"
  | "client.created"
  | "client.updated"
  | "client.disabled"
  | "client.enabled"
  | "client.deleted"
  | "secret.minted"
  | "secret.revealed"
  | "secret.deleted"
  | "reminder.sent"
  | "approvers.reminded";

/** Who did it: a Slack user (and their ADH user where known), or the bot's own timers. */
export type AuditActor = { slack?: string; adh?: string } | "system";

export type AuditDetails = Record<string, string | number | boolean | null | string[]>;

/** What a caller records; id, time and the chain are filled in by the store. */
export interface AuditRecord {
  type: AuditEventType;
  actor: AuditActor;
  requestId?: string;
  clientId?: string;
  details?: AuditDetails;
}

export interface AuditEvent {
  v: number;
  id: string;
  at: string;
  type: AuditEventType;
  actor: AuditActor;
  requestId?: string;
  clientId?: string;
  details: AuditDetails;
  /** The previous event's hash ("" for the first event ever appended). */
  prev: string;
  /** sha256 hex of the canonical JSON of this event without `hash`. */
  hash: string;
}

/** An event ready for the append script: its canonical JSON split around `prev`. */
export interface PreparedAuditEvent {
  id: string;
  atMs: number;
  before: string;
  after: string;
}

/**
 * A stable event id from what identifies the occurrence (request id + version + type, or
 * secret id + reminder threshold…): a redelivered click or a re-run timer gets the same id.
 */
export function auditEventId(...parts: (string | number)[]): string {
  const digest = createHash("sha256").update(parts.map(String).join("\u0000")).digest("hex");
  return `ae_${digest.slice(0, 32)}`;
}

// Key names that would hold a secret or a token: recording one is a bug, so it throws.
const FORBIDDEN_DETAIL = /^(secret|secretvalue|clientsecret|value|token|accesstoken|password)$/i;

export function prepareAuditEvent(
  id: string,
  atMs: number,
  record: AuditRecord,
): PreparedAuditEvent {
  const details = record.details ?? {};
  for (const key of Object.keys(details)) {
    if (FORBIDDEN_DETAIL.test(key)) throw new Error(`audit details must not carry "${key}"`);
  }
  const event: Omit<AuditEvent, "prev" | "hash"> = {
    v: AUDIT_SCHEMA_VERSION,
    id,
    at: new Date(atMs).toISOString(),
    type: record.type,
    actor: record.actor,
    details,
    ...(record.requestId !== undefined ? { requestId: record.requestId } : {}),
    ...(record.clientId !== undefined ? { clientId: record.clientId } : {}),
  };
  const members = memberList({ ...event, prev: "" });
  const at = members.findIndex(([key]) => key === "prev");
  const head = members.slice(0, at).map(([, json]) => `${json},`);
  const tail = members.slice(at + 1).map(([, json]) => `,${json}`);
  return { id, atMs, before: `{${head.join("")}`, after: `${tail.join("")}}` };
}

/** JSON with object keys sorted (by UTF-16 code unit) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  return `{${memberList(value as Record<string, unknown>)
    .map(([, json]) => json)
    .join(",")}}`;
}

function memberList(object: Record<string, unknown>): [string, string][] {
  return Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort()
    .map((key) => [key, `${JSON.stringify(key)}:${canonicalJson(object[key])}`]);
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

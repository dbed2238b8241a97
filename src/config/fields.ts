// The building blocks of the settings schema: one zod field per kind of value, each
// with the words that tell an operator how to fix it.
import { z } from "zod";

export const SLACK_USER_OR_GROUP = /^[UWS][A-Z0-9]{2,}$/;
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const bool = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (["true", "1", "yes"].includes(v)) return true;
      if (["false", "0", "no"].includes(v)) return false;
      ctx.addIssue({ code: "custom", message: "expected true or false" });
      return z.NEVER;
    });

export const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const required = (hint: string) =>
  z
    .string({ error: `is required: ${hint}` })
    .trim()
    .min(1, { error: `is required: ${hint}` });

export const url = (fallback: string | undefined, hint: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === "" ? fallback : v;
      if (value === undefined) return undefined;
      try {
        const u = new URL(value);
        if (!/^(https?|rediss?):$/.test(u.protocol)) throw new Error("scheme");
        return value;
      } catch {
        ctx.addIssue({ code: "custom", message: `expected a URL: ${hint}` });
        return z.NEVER;
      }
    });

export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** A comma-separated setting's entries, trimmed, empty ones dropped. */
export function commaList(v: string | undefined): string[] {
  return (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `host:port,host:port`; empty or unset: none. */
export const hostPorts = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = commaList(v);
      const bad = entries.filter((s) => !/^[^\s:]+:\d{1,5}$/.test(s));
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected host:port,host:port (e.g. redis-sentinel-0:26379,redis-sentinel-1:26379)`,
        });
        return z.NEVER;
      }
      return entries;
    });

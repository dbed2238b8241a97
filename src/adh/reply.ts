// Reading ADH's replies: headers, JSON bodies, zod shapes, and the AdhError a non-2xx
// answer stands for. Error texts name field paths and ADH's words, never body values.
import type { IncomingHttpHeaders } from "node:http";
import type { z } from "zod";
import type { AdhReply } from "./call.js";
import { AdhError } from "./errors.js";
import { type ErrorBody, ErrorBodySchema } from "./schemas.js";

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as JSON; undefined when empty, or when an error status came with a non-JSON body. */
export function replyBody(
  route: string,
  status: number,
  operationId: string | undefined,
  text: string,
): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    if (status >= 200 && status < 300) {
      throw new AdhError({
        route,
        status,
        operationId,
        error: "ADH sent a response that is not JSON.",
        retryable: false,
      });
    }
    return undefined;
  }
}

/** Parses a reply body; a shape we do not understand is an AdhError naming only field paths (never values). */
export function parseReply<T>(schema: z.ZodType<T>, reply: AdhReply, route: string): T {
  const parsed = schema.safeParse(reply.body);
  if (parsed.success) return parsed.data;
  const paths = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(body)"))];
  throw new AdhError({
    route,
    status: reply.status,
    operationId: reply.operationId,
    error: "ADH sent a response the bot does not understand.",
    reason: `Unexpected fields: ${paths.slice(0, 5).join(", ")}.`,
    resolution: "Report this to the bot's maintainers with the Operation-Id.",
    retryable: false,
  });
}

/** AdhError from a non-2xx reply; tolerates empty and non-JSON bodies. */
export function errorFromReply(
  route: string,
  reply: Pick<AdhReply, "status" | "body" | "operationId">,
): AdhError {
  const parsed = ErrorBodySchema.safeParse(reply.body);
  const body: ErrorBody = parsed.success ? parsed.data : {};
  return new AdhError({
    route,
    status: reply.status,
    operationId: body.OperationId ?? reply.operationId,
    error: body.Error ?? body.error,
    reason: body.Reason ?? body.error_description,
    resolution: body.Resolution,
  });
}

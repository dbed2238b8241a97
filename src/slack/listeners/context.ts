// What every listener needs: the workflow, the catalog for `list`, a logger, a clock.
import { randomBytes } from "node:crypto";
import type { RespondFn } from "@slack/bolt";
import type { Logger } from "pino";
import type { ClientCatalog } from "../../requests/client-catalog.js";
import type { RequestWorkflow } from "../../requests/workflow.js";
import { friendlyFailure } from "../failure.js";

export interface ListenerContext {
  workflow: RequestWorkflow;
  catalog: ClientCatalog;
  logger: Logger;
  now: () => number;
}

/** The random key that ties a modal's panes to its draft in Redis. */
export function newFormKey(): string {
  return randomBytes(12).toString("base64url");
}

/** One ephemeral line to the person who clicked or typed; never replaces their message. */
export async function tell(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: "ephemeral", replace_original: false, text });
}

/**
 * Runs work after the ack; a failure is logged with context and the user is told
 * what happened in plain words (the work itself must keep state consistent).
 */
export async function afterAck(
  ctx: ListenerContext,
  what: string,
  respond: RespondFn | undefined,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    ctx.logger.error(
      { err: error instanceof Error ? error.message : String(error), what },
      "listener failed",
    );
    if (respond) await tell(respond, friendlyFailure(error)).catch(() => undefined);
  }
}

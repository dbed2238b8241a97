// What every journey's listeners need: the use cases, the client catalog for `list`, a
// logger, a clock, and the slash command's router.
import type { Logger } from "pino";
import type { ClientCatalog } from "../../adh/client-catalog.js";
import type { RequestWorkflow } from "../../requests/workflow.js";
import type { Subcommands } from "./command.js";

export interface ListenerContext {
  workflow: RequestWorkflow;
  catalog: ClientCatalog;
  logger: Logger;
  now: () => number;
  /** App Home: publishes a person's Home when they open it (absent: no Home tab). */
  home?: { opened(userId: string): Promise<void> };
  /** Per-user command limit shared across replicas; unset: none. */
  cooldown?: CommandGate;
  /** Origins a Reveal's response_url may have (default: https://hooks.slack.com). */
  responseUrlOrigins?: readonly string[];
}

/** Counts one command by a user: ok, or how long until they may type again. */
export interface CommandGate {
  take(userId: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number; limit: number }>;
  readonly windowMs: number;
}

/** A journey's `register(app, deps)` gets the context plus the words it may claim. */
export interface JourneyDeps extends ListenerContext {
  commands: Subcommands;
}

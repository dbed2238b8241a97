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
}

/** A journey's `register(app, deps)` gets the context plus the words it may claim. */
export interface JourneyDeps extends ListenerContext {
  commands: Subcommands;
}

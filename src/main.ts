// Entry point: read the configuration (.env when present), start the bot, and shut it
// down gracefully on SIGTERM/SIGINT. Unexpected errors are logged, never silent.
import { startBot } from "./bot.js";
import { loadDotEnv, parseConfig } from "./config.js";

loadDotEnv();
const parsed = parseConfig(process.env);
if (!parsed.ok) {
  console.error(parsed.message);
  process.exit(1);
}

const bot = await startBot(parsed.config).catch((error: unknown) => {
  console.error(
    `hybrid-client-bot could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

process.on("unhandledRejection", (reason) => {
  bot.logger.error(
    { err: reason instanceof Error ? reason.message : String(reason) },
    "unhandled rejection",
  );
});
process.on("uncaughtException", (error) => {
  bot.logger.fatal({ err: error.message, stack: error.stack }, "uncaught exception; shutting down");
  void shutdown("uncaughtException", 1);
});

let stopping = false;
async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  bot.logger.info({ signal }, "shutting down");
  const hardStop = setTimeout(() => process.exit(code || 1), 12_000);
  hardStop.unref();
  // Under the 10 s an orchestrator is promised, with room for the process to end.
  await bot.stop(9_000);
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

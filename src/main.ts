// Entry point: read the configuration (.env when present), start the bot, and shut it
// down gracefully on SIGTERM/SIGINT. The process guard comes first so that nothing,
// not even a failing import, can fail without one JSON log line.
// A side-effect import: evaluated before every module below (and kept first by the formatter).
import "./process-guard.js";
import { startBot } from "./bot.js";
import { loadDotEnv, parseConfig } from "./config.js";
import { installProxyFromEnvironment } from "./net/proxy.js";
import { processLogger, setFatalHandler } from "./process-guard.js";

loadDotEnv();
// Before any connection is made: response_url posts and other global fetches use it.
if (installProxyFromEnvironment())
  processLogger.info(
    { event: "proxy" },
    "outbound HTTP goes through the proxy in HTTPS_PROXY/HTTP_PROXY (NO_PROXY honoured)",
  );
const parsed = parseConfig(process.env);
if (!parsed.ok) {
  processLogger.fatal({ event: "config_invalid" }, parsed.message);
  process.exit(1);
}

const bot = await startBot(parsed.config).catch((error: unknown) => {
  processLogger.fatal(
    { event: "start_failed" },
    `hybrid-client-bot could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

setFatalHandler(() => void shutdown("uncaughtException", 1));

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

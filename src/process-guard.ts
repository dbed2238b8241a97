// Installed by the first import of src/main.ts, before anything else runs: one JSON log
// line for every way the process can report trouble — unhandled rejections, uncaught
// exceptions, Node's own warnings and libraries' console output (ioredis warns through
// console.warn) — so a log collector never sees a plain-text line from the bot.
import { format } from "node:util";
import pino from "pino";
import { createLogger, type Logger } from "./log.js";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** The logger used until (and besides) the bot's own: same format, same redaction. */
export const processLogger: Logger = createLogger({
  level: LEVELS.has(process.env.LOG_LEVEL ?? "") ? process.env.LOG_LEVEL : "info",
  // Synchronous, so a fatal line is written before process.exit.
  destination: pino.destination({ dest: 1, sync: true }),
}).child({ component: "process" });

let onFatal: (error: Error) => void = () => process.exit(1);

/** What an uncaught exception does once the bot runs: a graceful shutdown with exit 1. */
export function setFatalHandler(handler: (error: Error) => void): void {
  onFatal = handler;
}

// pino's error serializer keeps type, message, stack and any own fields such as `code`.
function errorFields(reason: unknown): { err: Error } {
  return { err: reason instanceof Error ? reason : new Error(String(reason)) };
}

// Node prints warnings as text on stderr through its own listener; replace it by a JSON
// line (`--no-warnings` would silence them instead, and some matter, e.g. a deprecation).
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  processLogger.warn(
    { warning: { name: warning.name, code: (warning as { code?: string }).code } },
    warning.message,
  );
});

// A rejection nobody handled is a bug, but not one worth losing in-flight requests for:
// it is logged and the process keeps serving (Node's default would exit).
process.on("unhandledRejection", (reason) => {
  processLogger.error(errorFields(reason), "unhandled rejection");
});

// After an uncaught exception the process state is unknown: log it, then stop.
process.on("uncaughtException", (error) => {
  processLogger.fatal(errorFields(error), "uncaught exception; shutting down");
  onFatal(error);
});

// Libraries that write to the console (ioredis: "[WARN] Redis server does not require a
// password…") become JSON lines at the matching level.
console.log = (...args: unknown[]) => processLogger.info({ source: "console" }, format(...args));
console.info = console.log;
console.warn = (...args: unknown[]) => processLogger.warn({ source: "console" }, format(...args));
console.error = (...args: unknown[]) => processLogger.error({ source: "console" }, format(...args));

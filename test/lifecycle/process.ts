// The bot as an operator runs it: `node --import tsx src/main.ts` in its own process, with
// an explicit environment, its stdout/stderr kept line by line, and its exit observable.
// Process-level behaviour (signals, exit codes, the handlers in main.ts) cannot be seen
// from a bot started in the test's own process.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Harness } from "../support/harness.js";
import { APPROVAL_CHANNEL, freePort, SIGNING_SECRET, USERS } from "../support/harness.js";
import { TEST_REDIS_URL } from "../support/redis.js";
import { SlackDriver } from "../support/slack-driver.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BotProcess {
  pid: number;
  port: number;
  /** Base URL of its HTTP server, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Base URL of its ops server (OPS_PORT): /healthz, /readyz, /metrics. */
  opsUrl: string;
  /** Every line it wrote, stdout and stderr interleaved in arrival order. */
  lines: string[];
  /** Lines parsed as pino JSON (others skipped). */
  logs(): Record<string, unknown>[];
  /** Resolves with the first line (already written or later) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs it if it is still running and waits for the exit (cleanup). */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test run that dies without its afterAll must not leave bots behind listening.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Spawns the bot with exactly `env` (plus PATH and HOME) and resolves once it logged
 * "hybrid-client-bot started"; rejects with its output if it exits or stays silent first.
 */
export async function spawnBot(
  env: Record<string, string>,
  options: { startTimeoutMs?: number } = {},
): Promise<BotProcess> {
  const port = Number(env.PORT);
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    // Not the test's own environment: its REDIS_URL, NODE_OPTIONS or a developer's
    // .env-style variables must not leak into what is being tested.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error("the bot process did not start");

  const lines: string[] = [];
  const watchers = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const onLine = (line: string) => {
    lines.push(line);
    for (const w of watchers) {
      if (w.pattern.test(line)) {
        watchers.delete(w);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on("line", onLine);
  createInterface({ input: child.stderr }).on("line", onLine);

  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs = 5_000) => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const watcher = {
        pattern,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        watchers.delete(watcher);
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${tail(lines)}`));
      }, timeoutMs);
      watchers.add(watcher);
    });
  };

  const bot: BotProcess = {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    opsUrl: `http://127.0.0.1:${Number(env.OPS_PORT)}`,
    lines,
    logs: () => lines.flatMap(parseJsonLine),
    waitForLine,
    exited,
    signal: (signal) => {
      child.kill(signal);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };

  const started = await Promise.race([
    waitForLine(/hybrid-client-bot started/, options.startTimeoutMs ?? 15_000).then(() => true),
    exited.then(() => false),
  ]).catch(async (error: unknown) => {
    await bot.kill();
    throw error;
  });
  if (!started) {
    const exit = await exited;
    throw new Error(
      `the bot exited (${exit.code ?? exit.signal}) before it started:\n${tail(lines)}`,
    );
  }
  return bot;
}

/**
 * The environment of the in-process harness's bot (its fakes, its Redis prefix), for a
 * child process on a port of its own. The harness seeds the fakes' users and channels.
 */
export async function botEnvFor(
  h: Pick<Harness, "adh" | "slack" | "prefix">,
  overrides: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    SLACK_BOT_TOKEN: h.slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: h.slack.url,
    PORT: String(await freePort()),
    OPS_PORT: String(await freePort()),
    ADH_BASE_URL: h.adh.url,
    ADH_TENANT_ID: h.adh.tenantId,
    ADH_CLIENT_ID: h.adh.clientId,
    ADH_CLIENT_SECRET: h.adh.clientSecret,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: h.prefix,
    APPROVAL_CHANNEL,
    APPROVERS: `${USERS.approver1},${USERS.approver2}`,
    LOG_LEVEL: "debug",
    MAX_OPEN_REQUESTS_PER_USER: "1000",
    USER_COMMANDS_PER_30S: "0",
    ...overrides,
  };
}

/** A signed Slack driver aimed at the child's /slack/events. */
export function driverFor(bot: BotProcess, h: Pick<Harness, "slack">): SlackDriver {
  return new SlackDriver({
    botUrl: `${bot.url}/slack/events`,
    signingSecret: SIGNING_SECRET,
    slack: h.slack,
  });
}

function parseJsonLine(line: string): Record<string, unknown>[] {
  if (!line.startsWith("{")) return [];
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null ? [parsed as Record<string, unknown>] : [];
  } catch {
    return [];
  }
}

function tail(lines: string[], n = 30): string {
  return lines.slice(-n).join("\n");
}

// `npm run audit -- export [--since ISO] [--until ISO]`: the audit trail as JSON lines.
// `npm run audit -- verify`: walks the hash chain; exit 0 when it holds, else names the
// first broken event and exits 1. Needs only REDIS_URL and REDIS_KEY_PREFIX (from the
// environment or .env), so an auditor can run it without the bot's Slack and ADH settings.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadDotEnv } from "./config.js";
import { AuditTrail } from "./store/audit-stream.js";
import { closeRedis, createRedis, type Redis } from "./store/redis.js";

const USAGE = `usage: npm run audit -- export [--since ISO-8601] [--until ISO-8601]
       npm run audit -- verify`;

export interface CliIo {
  out: (text: string) => Promise<void> | void;
  err: (line: string) => void;
}

/** Runs one audit command against `redis`; resolves to the exit code. */
export async function runAuditCli(argv: string[], redis: Redis, io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const trail = new AuditTrail(redis);
  if (parsed.command === "verify") {
    const result = await trail.verify();
    if (result.ok) {
      io.err(`audit chain holds: ${result.checked} events checked`);
      return 0;
    }
    io.err(
      `audit chain broken at event ${result.brokenEventId || "(unreadable)"} (stream id ${result.streamId}): ${result.problem}; ${result.checked} events before it hold`,
    );
    return 1;
  }
  // Lines go out in batches: one write per event would dominate a 100,000-event export.
  let batch: string[] = [];
  for await (const event of trail.export(parsed.range)) {
    batch.push(JSON.stringify(event));
    if (batch.length === 1_000) {
      await io.out(`${batch.join("\n")}\n`);
      batch = [];
    }
  }
  if (batch.length > 0) await io.out(`${batch.join("\n")}\n`);
  return 0;
}

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { since: { type: "string" }, until: { type: "string" } },
  });
  const [command, ...rest] = positionals;
  if ((command !== "export" && command !== "verify") || rest.length > 0) {
    throw new Error(`expected "export" or "verify"`);
  }
  const date = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms))
      throw new Error(`--${name}: expected an ISO 8601 time, e.g. 2026-05-01T00:00:00Z`);
    return new Date(ms);
  };
  const since = date("since", values.since);
  const until = date("until", values.until);
  return {
    command,
    range: { ...(since ? { since } : {}), ...(until ? { until } : {}) },
  } as const;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  loadDotEnv();
  const redis = createRedis(
    {
      url: process.env.REDIS_URL?.trim() || "redis://127.0.0.1:6379",
      keyPrefix: process.env.REDIS_KEY_PREFIX || "hcb:",
    },
    // A long export is many pages: a slow page must not be cut off like a Slack-path command.
    { commandTimeout: 30_000 },
  );
  const code = await runAuditCli(process.argv.slice(2), redis, {
    out: writeStdout,
    err: (line) => console.error(line),
  }).catch((error: unknown) => {
    console.error(`audit: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  });
  await closeRedis(redis);
  process.exit(code);
}

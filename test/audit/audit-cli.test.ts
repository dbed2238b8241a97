import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditCli } from "../../src/audit-cli.js";
import { AUDIT_KEY, AuditTrail } from "../../src/store/audit-stream.js";
import { closeRedis } from "../../src/store/redis.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix, testRedis } from "../support/redis.js";
import { tamper } from "./support.js";

const prefix = testPrefix("auditcli");
const redis = testRedis(prefix);
const trail = new AuditTrail(redis);
const day = (d: number) => Date.parse(`2026-07-${String(d).padStart(2, "0")}T08:00:00Z`);

async function cli(argv: string[]) {
  let stdout = "";
  const stderr: string[] = [];
  const code = await runAuditCli(argv, redis, {
    out: (text) => {
      stdout += text;
    },
    err: (line) => stderr.push(line),
  });
  return { code, stdout, stderr: stderr.join("\n") };
}

/** The compiled-equivalent entry in a child process, as `npm run audit -- …` runs it. */
async function cliProcess(argv: string[]) {
  const entry = fileURLToPath(new URL("../../src/audit-cli.ts", import.meta.url));
  const tsx = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
  const child = spawn(process.execPath, ["--import", tsx, entry, ...argv], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout, stderr };
}

beforeAll(async () => {
  for (let d = 1; d <= 4; d++) {
    await trail.append({
      id: `cli-${d}`,
      at: day(d),
      type: "reminder.sent",
      actor: "system",
      clientId: "client-a",
      details: { daysLeft: 30 - d },
    });
  }
});
afterAll(async () => {
  await closeRedis(redis);
  await deletePrefix(prefix);
});

describe("npm run audit", () => {
  it("export writes JSON lines, in order, filtered by --since and --until", async () => {
    const all = await cli(["export"]);
    expect(all.code).toBe(0);
    const lines = all.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.id)).toEqual(["cli-1", "cli-2", "cli-3", "cli-4"]);
    expect(lines[1]).toMatchObject({ v: 1, type: "reminder.sent", prev: lines[0].hash });

    const some = await cli([
      "export",
      "--since",
      "2026-07-02T00:00:00Z",
      "--until",
      new Date(day(3)).toISOString(),
    ]);
    expect(
      some.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).id),
    ).toEqual(["cli-2", "cli-3"]);
  });

  it("refuses a bad command or time with usage and exit 2", async () => {
    expect((await cli(["export", "--since", "yesterday"])).code).toBe(2);
    const bad = await cli(["delete"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("usage: npm run audit");
  });

  it("verify exits 0 on a sound chain and 1 naming the first edited event", async () => {
    const good = await cliProcess(["verify"]);
    expect(good).toMatchObject({ code: 0, stdout: "" });
    expect(good.stderr).toContain("audit chain holds: 4 events checked");

    const entries = await redis.xrange(AUDIT_KEY.stream, "-", "+");
    const second = entries[1]?.[0] as string;
    await tamper(redis, second, (f) => ({
      ...f,
      e: (f.e as string).replace('"daysLeft":28', '"daysLeft":99'),
    }));
    const bad = await cliProcess(["verify"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`audit chain broken at event cli-2 (stream id ${second})`);
  });
});

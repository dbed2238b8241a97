// What an operator's log collector receives from the bot process at start-up: JSON lines
// only (Node's warnings and ioredis's console warnings included), unhandled rejections
// logged without killing the process, and one clear line for an unreachable Redis.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotProcess, botEnvFor, spawnBot } from "../lifecycle/process.js";
import { freePort, type Harness, startHarness } from "../support/harness.js";
import { TEST_REDIS_URL } from "../support/redis.js";

const LATE_REJECTION = fileURLToPath(new URL("./fixtures/late-rejection.mjs", import.meta.url));
const LATE_THROW = fileURLToPath(new URL("./fixtures/late-throw.mjs", import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.bot.stop();
});
afterAll(async () => {
  await h?.close();
});

function nonJsonLines(bot: BotProcess): string[] {
  return bot.lines.filter((line) => {
    try {
      return typeof JSON.parse(line) !== "object";
    } catch {
      return true;
    }
  });
}

describe("the bot process's start-up output", () => {
  let bot: BotProcess;
  afterAll(async () => {
    await bot?.kill();
  });

  it("is JSON only, logs an unhandled rejection and Node's warnings, and keeps serving", async () => {
    // A password the shared Redis does not need: ioredis warns about it on the console.
    const withPassword = TEST_REDIS_URL.replace("redis://", "redis://:not-needed-pw@");
    bot = await spawnBot(
      await botEnvFor(h, {
        LOG_LEVEL: "info",
        REDIS_URL: withPassword,
        NODE_OPTIONS: `--import ${LATE_REJECTION}`,
      }),
      { startTimeoutMs: 40_000 },
    );
    await bot.waitForLine(/unhandled rejection/);
    await bot.waitForLine(/PromiseRejectionHandledWarning|handled asynchronously/);
    await bot.waitForLine(/this API is going away/);
    await bot.waitForLine(/does not require a password/);

    expect(nonJsonLines(bot)).toEqual([]);
    const logs = bot.logs();
    const rejection = logs.find((l) => l.msg === "unhandled rejection");
    expect(rejection?.level).toBe("error");
    expect(rejection?.err).toMatchObject({ message: "nobody awaited this" });
    const deprecation = logs.find((l) => l.msg === "this API is going away");
    expect(deprecation).toMatchObject({
      level: "warn",
      warning: { name: "DeprecationWarning", code: "DEP_TEST_0001" },
    });
    const password = logs.find((l) => /does not require a password/.test(String(l.msg)));
    expect(password).toMatchObject({ level: "warn", source: "console" });
    // The password itself is in no line.
    expect(bot.lines.join("\n")).not.toContain("not-needed-pw");

    // Not fatal: the process is still there and answers its probes.
    expect(await Promise.race([bot.exited, Promise.resolve("running")])).toBe("running");
    expect((await fetch(`${bot.opsUrl}/healthz`)).status).toBe(200);
  }, 60_000);
});

describe("a Redis that cannot be reached at start", () => {
  let bot: BotProcess;
  afterAll(async () => {
    await bot?.kill();
  });

  it("gives one line naming REDIS_URL and npm run doctor, not one per reconnect", async () => {
    const nobodyListens = `redis://127.0.0.1:${await freePort()}`;
    // Generous: under a loaded machine tsx's first compile alone can take 15 s.
    bot = await spawnBot(await botEnvFor(h, { LOG_LEVEL: "info", REDIS_URL: nobodyListens }), {
      startTimeoutMs: 40_000,
    });
    const first = JSON.parse(await bot.waitForLine(/Redis cannot be reached/)) as Record<
      string,
      unknown
    >;
    expect(first.level).toBe("error");
    expect(first.msg).toMatch(/REDIS_URL/);
    expect(first.msg).toMatch(/npm run doctor/);
    expect(first.cause).toBe("ECONNREFUSED");

    // ioredis retries every ≤ 2 s: wait until it has failed several more times.
    const failures = () =>
      bot.logs().filter((l) => /Redis cannot be reached|redis error/i.test(String(l.msg)));
    const deadline = Date.now() + 6_000;
    while (Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(failures()).toHaveLength(1);
    expect(nonJsonLines(bot)).toEqual([]);
  }, 60_000);
});

describe("an uncaught exception", () => {
  let bot: BotProcess;
  afterAll(async () => {
    await bot?.kill();
  });

  it("is logged as fatal JSON, then the bot shuts down gracefully with exit code 1", async () => {
    bot = await spawnBot(
      await botEnvFor(h, { LOG_LEVEL: "info", NODE_OPTIONS: `--import ${LATE_THROW}` }),
      { startTimeoutMs: 40_000 },
    );
    const exit = await bot.exited;
    expect(exit.code).toBe(1);
    expect(nonJsonLines(bot)).toEqual([]);
    const logs = bot.logs();
    const fatal = logs.find((l) => l.level === "fatal");
    expect(fatal).toMatchObject({ msg: "uncaught exception; shutting down" });
    expect(fatal?.err).toMatchObject({ message: "a bug nobody caught" });
    // The graceful path ran: in-flight work was given its chance before the exit.
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["shutting down", "hybrid-client-bot stopped"]),
    );
  }, 60_000);
});

// A request the bot cannot process, sent to the bot as a real process at the production log
// level: it is logged, answered, and the process keeps serving. (Malformed requests in all
// their variety are covered in-process by test/robustness/malformed-requests.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, USERS } from "../support/harness.js";
import type { SlackDriver } from "../support/slack-driver.js";
import { type BotProcess, botEnvFor, driverFor, spawnBot } from "./process.js";

let h: Harness;
let child: BotProcess;
let driver: SlackDriver;
let answers: { unparseable: number; nullEvent: number };
let errorLines: Record<string, unknown>[];

beforeAll(async () => {
  h = await startHarness();
  await h.bot.stop();
  child = await spawnBot(await botEnvFor(h, { LOG_LEVEL: "info" }));
  driver = driverFor(child, h);
  const before = child.logs().length;
  // Signed, so they get past verification into Bolt: a body that is not a form, and an
  // Events API envelope whose event is null (Bolt throws before any listener runs).
  const unparseable = await driver.raw("payload=%7Bnot-json");
  const nullEvent = await driver.raw(
    JSON.stringify({ type: "event_callback", team_id: h.slack.teamId, event: null }),
    { contentType: "application/json" },
  );
  answers = { unparseable: unparseable.status, nullEvent: nullEvent.status };
  await child.waitForLine(/unhandled error while processing a Slack request/);
  errorLines = child
    .logs()
    .slice(before)
    .filter((l) => l.level === "error" || l.level === "warn");
}, 30_000);
afterAll(async () => {
  await child?.kill();
  await h?.close();
});

describe("the bot process given requests it cannot process", () => {
  it("answers them, logs them and keeps serving", async () => {
    expect(answers.unparseable).toBe(400);
    expect(answers.nullEvent).toBeGreaterThanOrEqual(400);
    expect(errorLines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Malformed request body/),
        expect.stringMatching(/unhandled error/i),
      ]),
    );
    expect(child.lines.join("\n")).not.toMatch(/uncaught exception|"level":"fatal"/);

    // Still the same process, still serving Slack and the probes.
    expect(await Promise.race([child.exited, Promise.resolve("running")])).toBe("running");
    expect((await fetch(`${child.opsUrl}/healthz`)).status).toBe(200);
    const help = await driver.command(USERS.member, "help");
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.body)).toMatch(/Usage/);
  });

  // Bolt's default handler logs the error itself only at debug; the bot logs what it was.
  it("logs what the unhandled error was, at the production log level", () => {
    const unhandled = errorLines.filter((l) => /unhandled/i.test(String(l.msg)));
    expect(JSON.stringify(unhandled)).toMatch(/Cannot use 'in' operator|TypeError/);
  });
});

// Redis stopped under a running bot (its own private redis-server, never the shared one):
// readiness says so and recovers by itself, liveness never wavers, and Slack users get a
// plain "temporarily unavailable, nothing was lost" answer in time instead of silence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BLOCK, CLIENT_FORM } from "../../src/slack/ids.js";
import { clientFormValues, type Harness, startHarness, USERS, until } from "../support/harness.js";
import { type PrivateRedis, startRedisServer } from "../support/redis-server.js";

const SLACK_DEADLINE_MS = 3_000;
const UNAVAILABLE = /temporarily unavailable.*Nothing was lost/;

let redis: PrivateRedis;
let h: Harness;
beforeAll(async () => {
  redis = await startRedisServer();
  h = await startHarness({ env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  await h?.close();
  await redis?.close();
});

interface Probe {
  status: number;
  body: {
    ready?: boolean;
    parts?: Record<string, { ok: boolean; error?: string }>;
    failing?: string[];
  };
}

async function probe(path: "/healthz" | "/readyz"): Promise<Probe> {
  const res = await fetch(`http://127.0.0.1:${h.bot.opsPort}${path}`);
  return { status: res.status, body: (await res.json()) as Probe["body"] };
}

/** Probes /readyz until `wanted` holds (checking /healthz stays 200 meanwhile); returns the answer and how long it took. */
async function readyzUntil(
  wanted: (p: Probe) => boolean,
  timeoutMs: number,
): Promise<Probe & { ms: number }> {
  const started = performance.now();
  for (;;) {
    const [ready, health] = await Promise.all([probe("/readyz"), probe("/healthz")]);
    expect(health.status).toBe(200);
    const ms = performance.now() - started;
    if (wanted(ready)) return { ...ready, ms };
    if (ms > timeoutMs) {
      throw new Error(`/readyz still ${JSON.stringify(ready)} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The id of the modal opened with this trigger_id. */
async function viewOpenedBy(triggerId: string): Promise<string> {
  const open = await h.slack.waitForCall("views.open", (c) => c.args.trigger_id === triggerId);
  return (open.response.view as { id: string }).id;
}

/**
 * What the user who typed `/hybrid-client add` was told: a post to the command's
 * response_url, or a notice replacing the modal it opened — whichever comes first.
 */
async function answerTo(command: { triggerId: string; responseUrl: string }): Promise<string> {
  const viewId = await viewOpenedBy(command.triggerId);
  const notice = h.slack
    .waitForCall("views.update", (c) => c.args.view_id === viewId, 8_000)
    .then((c) => JSON.stringify(c.args.view));
  const reply = h.slack
    .waitForResponse((r) => r.url === command.responseUrl, 8_000)
    .then((r) => JSON.stringify(r.body));
  return Promise.any([notice, reply]);
}

const redisDown = (p: Probe) => p.status === 503 && p.body.parts?.redis?.ok === false;
const allReady = (p: Probe) => p.status === 200 && p.body.ready === true;

describe("/readyz with Redis stopped and restarted", () => {
  it("is 200, then 503 naming redis, then 200 again without a restart; /healthz stays 200", async () => {
    expect((await readyzUntil(allReady, 5_000)).body.parts?.redis).toEqual({ ok: true });

    await redis.stop();
    const down = await readyzUntil(redisDown, 5_000);
    // Only the part that failed is named; Slack and ADH still answer.
    expect(down.body.ready).toBe(false);
    expect(down.body.parts?.slack?.ok).toBe(true);
    expect(down.body.parts?.adh?.ok).toBe(true);
    // Named, not explained: why it failed is in the log, not on the probe.
    expect(down.body.failing).toEqual(["redis"]);
    expect(down.body.parts?.redis).toEqual({ ok: false });
    expect(h.logs.some((l) => l.includes('"not ready"') && l.includes('"redis"'))).toBe(true);

    await redis.start();
    const back = await readyzUntil(allReady, 10_000);
    expect(back.body.parts?.redis).toEqual({ ok: true });
  }, 30_000);
});

describe("Redis down during Slack requests", () => {
  let formId: string;
  let add: Awaited<ReturnType<Harness["driver"]["command"]>>;

  beforeAll(async () => {
    // A form opened while Redis was up (its requester check done), submitted after it went away.
    const rolesBefore = h.adh.callsTo("GET /Users/:id/Roles").length;
    const opened = await h.driver.command(USERS.requester, "add");
    formId = await viewOpenedBy(opened.triggerId);
    await until(
      () =>
        h.adh
          .callsTo("GET /Users/:id/Roles")
          .slice(rolesBefore)
          .some((c) => c.status !== 0),
      5_000,
      "the requester check",
    );
    await redis.stop();
    await readyzUntil(redisDown, 5_000);
  }, 20_000);

  it("`status` and `add` are acked within 3 s; `status` is told storage is unavailable, nothing lost", async () => {
    const status = await h.driver.command(USERS.requester, "status");
    expect(status.status).toBe(200);
    expect(status.ms).toBeLessThan(SLACK_DEADLINE_MS);
    // Someone whose role was not checked in the last minute, so the check needs Redis.
    add = await h.driver.command(USERS.approver1, "add");
    expect(add.status).toBe(200);
    expect(add.ms).toBeLessThan(SLACK_DEADLINE_MS);

    const answer = await h.slack.waitForResponse((r) => r.url === status.responseUrl);
    expect(JSON.stringify(answer.body)).toMatch(UNAVAILABLE);
  });

  // Redis failing inside the role check is a storage problem, not ADH being unreachable.
  it("`add` tells the user storage is unavailable and nothing was lost, not that ADH is unreachable", async () => {
    const told = await answerTo(add);
    expect(told).toMatch(UNAVAILABLE);
    expect(told).not.toMatch(/AVEVA Data Hub could not be reached/);
  });

  it("the form's first pane gets an inline error within 3 s and stays open with what was typed", async () => {
    const pane1 = await h.driver.submitView(
      USERS.requester,
      { id: formId, callbackId: CLIENT_FORM },
      clientFormValues({ name: "outage-app" }),
    );
    expect(pane1.status).toBe(200);
    expect(pane1.ms).toBeLessThan(SLACK_DEADLINE_MS);
    expect(pane1.body).toMatchObject({
      response_action: "errors",
      errors: { [BLOCK.name]: expect.stringMatching(UNAVAILABLE) },
    });
    expect(pane1.viewError).toBeUndefined();
    expect(h.slack.view(formId)?.open).toBe(true);
  });

  it("the process stays up: /healthz answers 200 and nothing fatal was logged", async () => {
    expect((await probe("/healthz")).status).toBe(200);
    expect(h.logs.join("")).not.toMatch(/"level":"fatal"/);
  });

  it("once Redis is back, the same command works without restarting the bot", async () => {
    await redis.start();
    await readyzUntil(allReady, 10_000);
    const again = await h.driver.command(USERS.requester, "status");
    expect(again.ms).toBeLessThan(SLACK_DEADLINE_MS);
    const answer = JSON.stringify(
      (await h.slack.waitForResponse((r) => r.url === again.responseUrl)).body,
    );
    expect(answer).toMatch(/open request/);
    expect(answer).not.toMatch(UNAVAILABLE);
  }, 20_000);
});

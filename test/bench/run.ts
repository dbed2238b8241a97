// `npm run bench`: every figure of the performance claims, each beside its baseline and
// target, printed as Markdown and written to bench-results/bench.json.
//
// Who runs where: the fake Slack, the fake ADH and this orchestration in this process;
// the compiled bot (`node dist/main.js`), its replica and the bare Bolt baseline each in
// their own process; the load generator in another, so no stopwatch shares an event
// loop with the code it times. Redis is the real one, under unique key prefixes that are
// deleted at the end.
//
// Knobs (environment): BENCH_SCALE=0.1 divides every count by ten for a quick look;
// BENCH_CPU_PROF=1 writes a .cpuprofile of each bot process into bench-results/;
// BENCH_BOT_MAIN=path/main.js and BENCH_BOT_NODE_OPTIONS="--max-old-space-size=128" run
// another build of the bot, or other V8 settings, against the same baseline.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { CLIENT_FORM } from "../../src/slack/ids.js";
import {
  APPROVAL_CHANNEL,
  freePort,
  type Harness,
  SIGNING_SECRET,
  startHarness,
  USERS,
} from "../support/harness.js";
import { TEST_REDIS_URL } from "../support/redis.js";
import { measureAckLatency } from "./ack-latency.js";
import { measureClickToDm, measureThroughput } from "./approve-to-dm.js";
import { scrapeBot } from "./bot-metrics.js";
import { forgetCalls, settle } from "./fake-observers.js";
import { measureAckUnderFlood } from "./flood.js";
import { LoadGenerator } from "./load-generator.js";
import { createPendingRequests } from "./pending-requests.js";
import { memoryOf, type Spawned, spawnBareApp, spawnBot } from "./processes.js";
import { slowlogMark, slowlogSince } from "./redis-slowlog.js";
import { measureReminderScale } from "./reminder-scale.js";
import { type BenchResults, machine, toMarkdown } from "./report.js";
import { captureTemplates } from "./slack-requests.js";

const RESULTS = fileURLToPath(new URL("../../bench-results/", import.meta.url));
// BENCH_SCALE=0.1 gives a quick look (every count × 0.1); the figures to report are × 1.
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const scaled = (n: number) => Math.max(10, Math.round(n * SCALE));
const ACK_REQUESTS = scaled(2_000);
const COLD_STARTS = 3;
const DM_APPROVALS = scaled(100);
const THROUGHPUT_APPROVALS = scaled(400);
const TENANT_CLIENTS = scaled(10_000);

const started = performance.now();
const loadAtStart = loadavg();
const log = (line: string) =>
  console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

function botEnv(h: Harness, port: number, opsPort: number): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: h.slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: h.slack.url,
    PORT: String(port),
    OPS_PORT: String(opsPort),
    ADH_BASE_URL: h.adh.url,
    ADH_TENANT_ID: h.adh.tenantId,
    ADH_CLIENT_ID: h.adh.clientId,
    ADH_CLIENT_SECRET: h.adh.clientSecret,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: h.prefix,
    APPROVAL_CHANNEL,
    APPROVERS: `${USERS.approver1},${USERS.approver2}`,
    LOG_LEVEL: "info",
    // The load generator is one user sending thousands of commands: measure the bot's
    // work, not its cooldown answer.
    MAX_OPEN_REQUESTS_PER_USER: "100000",
    USER_COMMANDS_PER_30S: "0",
  };
}

async function main(): Promise<BenchResults> {
  mkdirSync(RESULTS, { recursive: true });
  // The in-process bot only prepares (opens one real modal, submits the pending
  // requests); it idles through the cold starts and stops before the load begins.
  const h = await startHarness({
    env: { LOG_LEVEL: "info", MAX_OPEN_REQUESTS_PER_USER: "100000" },
    bot: { timerIntervalMs: 5_000 },
  });
  const children: Spawned[] = [];
  const slowlogStart = await slowlogMark();
  log(`Redis key prefix ${h.prefix} (deleted at the end)`);
  let generator: LoadGenerator | undefined;
  try {
    log("process: cold starts of node dist/main.js");
    const coldStarts: { readyMs: number; rssMb: number }[] = [];
    let bot: Spawned | undefined;
    for (let i = 0; i <= COLD_STARTS; i++) {
      const spawned = await spawnBot(
        botEnv(h, await freePort(), await freePort()),
        `${RESULTS}bot.log`,
      );
      coldStarts.push({
        readyMs: Math.round(spawned.readyMs),
        rssMb: memoryOf(spawned.pid).rssMb,
      });
      if (i < COLD_STARTS) await spawned.stop();
      else bot = spawned;
    }
    if (!bot) throw new Error("no bot");
    children.push(bot);
    const rssAfterStart = memoryOf(bot.pid);
    log(`  ready in ${coldStarts.map((s) => Math.round(s.readyMs)).join(", ")} ms`);

    const bare = await spawnBareApp(
      { ...botEnv(h, await freePort(), await freePort()), LOG_LEVEL: "info" },
      `${RESULTS}bare.log`,
    );
    children.push(bare);

    log("preparing pending requests (RequestWorkflow.submit)");
    const submit = (n: number, label: string) => createPendingRequests(h.bot.workflow, n, label);
    const pending = {
      sample: (await submit(1, "sample"))[0]!,
      warm: await submit(100, "warm"),
      open: await submit(ACK_REQUESTS, "open"),
      closed: await submit(ACK_REQUESTS, "closed"),
      dm0: await submit(DM_APPROVALS, "dm0"),
      dm50: await submit(DM_APPROVALS, "dm50"),
      throughput: await submit(THROUGHPUT_APPROVALS * 4, "throughput"),
      replicaWarm: await submit(100, "replica-warm"),
    };
    const templates = await captureTemplates(
      h.slack,
      async () => {
        const opensBefore = h.slack.callsTo("views.open").length;
        await h.driver.command(USERS.requester, "add");
        const open = await h.slack.waitForCall(
          "views.open",
          (c) =>
            h.slack.callsTo("views.open").indexOf(c) >= opensBefore &&
            (c.response.view as { callback_id?: string } | undefined)?.callback_id === CLIENT_FORM,
        );
        return (open.response.view as { id: string }).id;
      },
      pending.sample,
    );
    await h.bot.stop();
    await settle(h.slack, h.adh);
    forgetCalls(h.slack, h.adh);
    h.logs.length = 0;
    log(`  ${Object.values(pending).flat().length} pending`);

    generator = await LoadGenerator.start(() => ({
      trigger: h.slack.mintTriggerId(),
      responseUrl: h.slack.mintResponseUrl(),
    }));

    log("ack latency: bot vs bare Bolt");
    const ack = await measureAckLatency({
      generator,
      bot,
      bare,
      slack: h.slack,
      adh: h.adh,
      signingSecret: SIGNING_SECRET,
      templates,
      pending,
      count: ACK_REQUESTS,
      log,
    });
    log("signed acks under an unsigned 4 MB flood: bot vs bare Bolt");
    const flood = await measureAckUnderFlood({
      generator,
      bot,
      bare,
      signingSecret: SIGNING_SECRET,
      template: templates.command,
      count: scaled(200),
      log,
    });
    const rssAfterLoad = memoryOf(bot.pid);
    const heapAfterLoad = await scrapeBot(bot.opsOrigin);
    await bare.stop();

    log("approve → Reveal DM");
    const dmInput = {
      generator,
      slack: h.slack,
      adh: h.adh,
      signingSecret: SIGNING_SECRET,
      templates,
      log,
    };
    const clickToDm = await measureClickToDm(dmInput, bot.origin, {
      0: pending.dm0,
      50: pending.dm50,
    });
    const replica = await spawnBot(
      botEnv(h, await freePort(), await freePort()),
      `${RESULTS}bot-replica.log`,
    );
    children.push(replica);
    // A fresh process runs cold (JIT, caches): warm it as the first bot was by part 1.
    await measureThroughput(dmInput, [replica.origin], 0, pending.replicaWarm);
    const batches = Array.from({ length: 4 }, (_, i) =>
      pending.throughput.slice(i * THROUGHPUT_APPROVALS, (i + 1) * THROUGHPUT_APPROVALS),
    );
    const throughput = [];
    for (const [i, adhLatencyMs] of [0, 50].entries()) {
      throughput.push(
        await measureThroughput(dmInput, [bot.origin], adhLatencyMs, batches[i * 2]!),
        await measureThroughput(
          dmInput,
          [bot.origin, replica.origin],
          adhLatencyMs,
          batches[i * 2 + 1]!,
        ),
      );
    }
    const rssAfterAll = memoryOf(bot.pid);

    log("reminder scale");
    const reminders = await measureReminderScale(TENANT_CLIENTS, log);
    const redisSlowlog = await slowlogSince(slowlogStart, [h.prefix, "test:bench-reminders:"]);

    return {
      date: new Date().toISOString(),
      machine: await machine(loadAtStart),
      runSeconds: 0,
      ack,
      flood,
      clickToDm,
      throughput,
      reminders,
      redisSlowlog,
      process: {
        coldStarts,
        rssAfterStart,
        rssAfterAckLoad: rssAfterLoad,
        heapAfterAckLoad: { usedMb: heapAfterLoad.heapUsedMb, totalMb: heapAfterLoad.heapTotalMb },
        rssAfterAllLoad: rssAfterAll,
      },
    };
  } finally {
    await generator?.close();
    await Promise.allSettled(children.map((c) => c.stop()));
    await h.close();
  }
}

const results = await main();
results.runSeconds = Math.round((performance.now() - started) / 1000);
const markdown = toMarkdown(results);
writeFileSync(`${RESULTS}bench.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${RESULTS}bench.md`, markdown);
console.log(markdown);
log(`done; figures in ${RESULTS}bench.json`);

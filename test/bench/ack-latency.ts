// Part 1: how long Slack waits for the ack — the bot against a bare Bolt app, same
// generator, same bodies (re-signed per request), at 100 req/s and on 32 connections.
import type { FakeAdh } from "../fakes/adh.js";
import type { FakeSlack } from "../fakes/slack.js";
import { type BotInternals, scrapeBot } from "./bot-metrics.js";
import { forgetCalls, revealDmTimes, settle } from "./fake-observers.js";
import type { LoadGenerator } from "./load-generator.js";
import type { LoadShape, RequestTemplate, RunResult } from "./load-protocol.js";
import { cpuMsOf, type Spawned } from "./processes.js";
import type { PendingRef, SlackRequestTemplates } from "./slack-requests.js";
import { type LatencySummary, round, summarize } from "./stats.js";

export const ACK_KINDS = ["slash command", "view submission", "approve click"] as const;
export type AckKind = (typeof ACK_KINDS)[number];
export const ACK_P99_TARGET_MS = 50;
export const ACK_P50_RATIO_TARGET = 1.5;
const WARM_UP = 100;

export interface AckSide {
  latency: LatencySummary;
  errors: number;
  /** "200 update", "200 empty", … → count. */
  answers: Record<string, number>;
  durationMs: number;
  maxLagMs: number;
  /** CPU (user + system) the process spent per request, the work after the ack included. */
  cpuMsPerRequest: number;
}

export interface AckRow {
  kind: AckKind;
  load: string;
  bot: AckSide;
  bare: AckSide;
  /** The bot's event-loop lag during the run: how long arriving requests waited for the loop. */
  botLoop: BotInternals;
  p50Ratio: number;
  p99Ratio: number;
  /** Only the 100 req/s rows carry the absolute target. */
  p99TargetMs: number | null;
  p99Pass: boolean | null;
  ratioPass: boolean;
  /** What the bot did after the acks (views opened, clients created), and any trouble. */
  notes: string[];
}

export interface AckLatencyInput {
  generator: LoadGenerator;
  bot: Spawned;
  bare: Spawned;
  slack: FakeSlack;
  adh: FakeAdh;
  signingSecret: string;
  templates: SlackRequestTemplates;
  /** Distinct pending requests: warm-up, 100 req/s run, 32-connection run. */
  pending: { warm: PendingRef[]; open: PendingRef[]; closed: PendingRef[] };
  count: number;
  log: (line: string) => void;
}

const LOADS: { name: string; key: "open" | "closed"; shape: LoadShape }[] = [
  { name: "100 req/s", key: "open", shape: { kind: "open", ratePerSecond: 100 } },
  { name: "32 connections", key: "closed", shape: { kind: "closed", concurrency: 32 } },
];

export async function measureAckLatency(input: AckLatencyInput): Promise<AckRow[]> {
  const rows: AckRow[] = [];
  for (const kind of ACK_KINDS) {
    const templateFor = (pending: PendingRef[], count: number): RequestTemplate =>
      kind === "slash command"
        ? input.templates.command
        : kind === "view submission"
          ? input.templates.clientForm(count)
          : input.templates.approve(pending.slice(0, count));

    const warm = templateFor(input.pending.warm, WARM_UP);
    for (const target of [input.bare, input.bot]) {
      await send(input, target, warm, { kind: "closed", concurrency: 8 }, WARM_UP);
    }
    await afterBotRun(input, kind, input.pending.warm.slice(0, WARM_UP));

    for (const load of LOADS) {
      const pending = input.pending[load.key];
      const template = templateFor(pending, input.count);
      input.log(`  ${kind} @ ${load.name}: bare app`);
      const bareCpu = cpuMsOf(input.bare.pid);
      const bare = await send(input, input.bare, template, load.shape, input.count);
      await settle(input.slack, input.adh, 300);
      const bareCpuMs = cpuMsOf(input.bare.pid) - bareCpu;
      forgetCalls(input.slack, input.adh);
      input.log(`  ${kind} @ ${load.name}: bot`);
      const botCpu = cpuMsOf(input.bot.pid);
      await scrapeBot(input.bot.opsOrigin); // resets the lag histogram
      const bot = await send(input, input.bot, template, load.shape, input.count);
      const botLoop = await scrapeBot(input.bot.opsOrigin);
      const notes = await afterBotRun(input, kind, pending.slice(0, input.count));
      const botCpuMs = cpuMsOf(input.bot.pid) - botCpu;
      rows.push(
        row(
          kind,
          load,
          { run: bot, cpuMs: botCpuMs },
          { run: bare, cpuMs: bareCpuMs },
          botLoop,
          notes,
        ),
      );
      const last = rows.at(-1) as AckRow;
      input.log(
        `    bot p50 ${last.bot.latency.p50} p99 ${last.bot.latency.p99} | bare p50 ${last.bare.latency.p50} p99 ${last.bare.latency.p99}`,
      );
    }
  }
  return rows;
}

function send(
  input: AckLatencyInput,
  target: Spawned,
  template: RequestTemplate,
  shape: LoadShape,
  count: number,
): Promise<RunResult> {
  return input.generator.run({
    origins: [target.origin],
    path: "/slack/events",
    signingSecret: input.signingSecret,
    template,
    shape,
    count,
  });
}

/** Waits for the bot's work behind the acks, and says how it went. */
async function afterBotRun(
  input: AckLatencyInput,
  kind: AckKind,
  pending: PendingRef[],
): Promise<string[]> {
  const notes: string[] = [];
  const started = performance.now();
  if (kind === "approve click") {
    const dms = await revealDmTimes(
      input.slack,
      pending.map((p) => p.requestId),
    );
    notes.push(
      `${dms.size} clients created and Reveal DMs sent, the last ${round((performance.now() - started) / 1000, 1)} s after the last ack`,
    );
  }
  await settle(input.slack, input.adh);
  const opened = input.slack.callsTo("views.open");
  const refused = opened.filter((c) => c.response.ok !== true);
  if (kind === "slash command") {
    notes.push(`${opened.length - refused.length} modals opened`);
  }
  if (refused.length > 0) {
    const why = [...new Set(refused.map((c) => String(c.response.error)))].join(", ");
    notes.push(`views.open refused ${refused.length}× (${why})`);
  }
  const adhErrors = input.adh.calls.filter((c) => c.status >= 400).length;
  if (adhErrors > 0) notes.push(`${adhErrors} ADH calls failed`);
  forgetCalls(input.slack, input.adh);
  return notes;
}

function side({ run, cpuMs }: { run: RunResult; cpuMs: number }): AckSide {
  return {
    cpuMsPerRequest: round(cpuMs / run.latenciesMs.length),
    latency: summarize(run.latenciesMs.filter((v) => Number.isFinite(v))),
    errors: run.errors,
    answers: run.answers,
    durationMs: round(run.durationMs, 0),
    maxLagMs: round(run.maxLagMs),
  };
}

function row(
  kind: AckKind,
  load: (typeof LOADS)[number],
  botRun: { run: RunResult; cpuMs: number },
  bareRun: { run: RunResult; cpuMs: number },
  botLoop: BotInternals,
  notes: string[],
): AckRow {
  const bot = side(botRun);
  const bare = side(bareRun);
  const p50Ratio = round(bot.latency.p50 / bare.latency.p50);
  const p99TargetMs = load.key === "open" ? ACK_P99_TARGET_MS : null;
  // Latency is timed from the actual dispatch; a late dispatch only means the arrival
  // rate wobbled because the machine was busy, and is worth knowing.
  if (bot.maxLagMs > 10 || bare.maxLagMs > 10) {
    notes.push(
      `generator dispatched up to ${bot.maxLagMs} ms (bot run) / ${bare.maxLagMs} ms (bare run) late`,
    );
  }
  // The bot must answer pane 1 with the pane-2 update, and the rest with an empty ack.
  const expected = kind === "view submission" ? "200 update" : "200 empty";
  const unexpected = Object.entries(bot.answers).filter(([answer]) => answer !== expected);
  if (bot.errors > 0 || unexpected.length > 0) {
    notes.push(
      `bot: ${bot.errors} failed requests; unexpected answers ${JSON.stringify(unexpected)}`,
    );
  }
  return {
    kind,
    load: load.name,
    bot,
    bare,
    botLoop,
    p50Ratio,
    p99Ratio: round(bot.latency.p99 / bare.latency.p99),
    p99TargetMs,
    p99Pass: p99TargetMs === null ? null : bot.latency.p99 <= p99TargetMs,
    ratioPass: p50Ratio <= ACK_P50_RATIO_TARGET,
    notes,
  };
}

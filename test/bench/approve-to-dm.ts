// Part 2: from the Approve click to the requester's "Client created" DM (the client is
// created in ADH and its initial secret deleted on the way), with the fake ADH answering
// at 0 ms and 50 ms; and how many approvals per second one or two replicas complete.
import type { FakeAdh } from "../fakes/adh.js";
import type { FakeSlack } from "../fakes/slack.js";
import { forgetCalls, revealDmTimes, settle } from "./fake-observers.js";
import type { LoadGenerator } from "./load-generator.js";
import type { LoadShape, RunResult } from "./load-protocol.js";
import type { PendingRef, SlackRequestTemplates } from "./slack-requests.js";
import { type LatencySummary, round, summarize } from "./stats.js";

export const DM_P50_BUDGET_MS = 100;
export const ADH_LATENCIES_MS = [0, 50] as const;

export interface DmLatencyRow {
  adhLatencyMs: number;
  approvals: number;
  clickToDm: LatencySummary;
  /** ADH calls made between a click and its DM (median over the approvals), by route. */
  adhCallsOnPath: number;
  adhRoutesOnPath: string[];
  /** adhCallsOnPath × adhLatencyMs: time the path spends waiting for ADH. */
  adhWaitedMs: number;
  targetP50Ms: number;
  pass: boolean;
}

export interface ThroughputRow {
  replicas: number;
  adhLatencyMs: number;
  approvals: number;
  seconds: number;
  approvalsPerSecond: number;
  /** Click → DM while saturated. */
  clickToDm: LatencySummary;
}

export interface ApproveToDmInput {
  generator: LoadGenerator;
  slack: FakeSlack;
  adh: FakeAdh;
  signingSecret: string;
  templates: SlackRequestTemplates;
  log: (line: string) => void;
}

async function clickAll(
  input: ApproveToDmInput,
  origins: string[],
  pending: PendingRef[],
  shape: LoadShape,
): Promise<{ run: RunResult; dmAt: Map<string, number> }> {
  forgetCalls(input.slack, input.adh);
  const run = await input.generator.run({
    origins,
    path: "/slack/events",
    signingSecret: input.signingSecret,
    template: input.templates.approve(pending),
    shape,
    count: pending.length,
  });
  const dmAt = await revealDmTimes(
    input.slack,
    pending.map((p) => p.requestId),
  );
  return { run, dmAt };
}

function clickToDm(pending: PendingRef[], run: RunResult, dmAt: Map<string, number>): number[] {
  return pending.map((p, i) => (dmAt.get(p.requestId) ?? Number.NaN) - (run.sentAtMs[i] ?? 0));
}

/**
 * Approvals paced far enough apart that each one's path runs alone (open loop, a few per
 * second), so the time is the path's own and the ADH calls in its window are its own.
 */
export async function measureClickToDm(
  input: ApproveToDmInput,
  origin: string,
  pendingByLatency: Record<(typeof ADH_LATENCIES_MS)[number], PendingRef[]>,
): Promise<DmLatencyRow[]> {
  const rows: DmLatencyRow[] = [];
  for (const latency of ADH_LATENCIES_MS) {
    input.adh.setLatency(latency);
    const pending = pendingByLatency[latency];
    input.log(`  click → DM, ADH at ${latency} ms: ${pending.length} approvals`);
    const ratePerSecond = latency === 0 ? 10 : 5;
    const { run, dmAt } = await clickAll(input, [origin], pending, {
      kind: "open",
      ratePerSecond,
    });
    const perClick = pending.map((p, i) => {
      const sent = run.sentAtMs[i] ?? 0;
      const dm = dmAt.get(p.requestId) ?? sent;
      return input.adh.calls.filter((c) => c.at >= sent && c.at <= dm).map((c) => c.route);
    });
    const counts = perClick.map((routes) => routes.length).sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    const typical = perClick.find((routes) => routes.length === median) ?? [];
    const samples = clickToDm(pending, run, dmAt);
    const summary = summarize(samples);
    const targetP50Ms = DM_P50_BUDGET_MS + median * latency;
    rows.push({
      adhLatencyMs: latency,
      approvals: pending.length,
      clickToDm: summary,
      adhCallsOnPath: median,
      adhRoutesOnPath: typical,
      adhWaitedMs: median * latency,
      targetP50Ms,
      pass: summary.p50 <= targetP50Ms,
    });
    input.log(`    p50 ${summary.p50} ms, ${median} ADH calls on the path`);
    await settle(input.slack, input.adh);
  }
  input.adh.setLatency(0);
  forgetCalls(input.slack, input.adh);
  return rows;
}

/** As many approvals as 32 connections can click, spread over the replicas round-robin. */
export async function measureThroughput(
  input: ApproveToDmInput,
  origins: string[],
  adhLatencyMs: number,
  pending: PendingRef[],
): Promise<ThroughputRow> {
  input.adh.setLatency(adhLatencyMs);
  input.log(
    `  throughput: ${origins.length} replica(s), ADH at ${adhLatencyMs} ms, ${pending.length} approvals`,
  );
  const { run, dmAt } = await clickAll(input, origins, pending, {
    kind: "closed",
    concurrency: 32,
  });
  const first = Math.min(...run.sentAtMs);
  const last = Math.max(...dmAt.values());
  const seconds = (last - first) / 1000;
  await settle(input.slack, input.adh);
  input.adh.setLatency(0);
  forgetCalls(input.slack, input.adh);
  const row = {
    replicas: origins.length,
    adhLatencyMs,
    approvals: pending.length,
    seconds: round(seconds),
    approvalsPerSecond: round(pending.length / seconds, 1),
    clickToDm: summarize(clickToDm(pending, run, dmAt)),
  };
  input.log(`    ${row.approvalsPerSecond} approvals/s`);
  return row;
}

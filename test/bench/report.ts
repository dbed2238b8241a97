// The figures as one JSON document and as Markdown tables: each beside its baseline
// (where there is one) and its target, with PASS or MISS.
import { cpus, loadavg, totalmem } from "node:os";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../support/redis.js";
import { ACK_P50_RATIO_TARGET, type AckRow } from "./ack-latency.js";
import type { DmLatencyRow, ThroughputRow } from "./approve-to-dm.js";
import { FLOOD_P99_TARGET_MS, FLOOD_RATIO_TARGET, type FloodRow } from "./flood.js";
import type { Memory } from "./processes.js";
import type { SlowlogSummary } from "./redis-slowlog.js";
import {
  BYTES_PER_SECRET_TARGET,
  LOOKUP_TARGET_MS,
  type ReminderScaleResult,
  SYNC_TARGET_S,
} from "./reminder-scale.js";
import { round } from "./stats.js";

export const READY_TARGET_MS = 2_000;
export const RSS_TARGET_MB = 150;

export interface BenchResults {
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    redis: string;
    /** 1/5/15-minute load averages: the box is shared, so say how busy it was. */
    loadAtStart: number[];
    loadAtEnd: number[];
  };
  runSeconds: number;
  ack: AckRow[];
  /** Signed acks while four senders flood unsigned 4 MB nested JSON (absent in older results). */
  flood?: FloodRow;
  clickToDm: DmLatencyRow[];
  throughput: ThroughputRow[];
  reminders: ReminderScaleResult;
  redisSlowlog: SlowlogSummary;
  process: {
    coldStarts: { readyMs: number; rssMb: number }[];
    rssAfterStart: Memory;
    rssAfterAckLoad: Memory;
    /** V8 heap right after the ack load: what RSS holds on to. */
    heapAfterAckLoad: { usedMb: number; totalMb: number };
    rssAfterAllLoad: Memory;
  };
}

export async function machine(loadAtStart: number[]): Promise<BenchResults["machine"]> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    const info = await raw.info("server");
    return {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      redis: /^redis_version:(\S+)/m.exec(info)?.[1] ?? "unknown",
      loadAtStart: loadAtStart.map((l) => round(l)),
      loadAtEnd: loadavg().map((l) => round(l)),
    };
  } finally {
    raw.disconnect();
  }
}

const verdict = (pass: boolean | null) => (pass === null ? "—" : pass ? "PASS" : "MISS");
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : "—");

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function toMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    "## hybrid-client-bot benchmark",
    "",
    `${r.date} · ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB · Node ${m.node} · Redis ${m.redis} · run took ${r.runSeconds} s · load average ${m.loadAtStart.join(" ")} at start, ${m.loadAtEnd.join(" ")} at end`,
    "",
    "### 1. Ack latency, ms (bot = `node dist/main.js`; baseline = bare Bolt app whose listeners only ack)",
    "",
    table(
      [
        "request",
        "load",
        "bot p50",
        "bot p90",
        "bot p99",
        "bot max",
        "bare p50",
        "bare p90",
        "bare p99",
        "bare max",
        "p50 ratio",
        "CPU ms/req bot / bare",
        "bot loop lag p99 / max",
        `p99 ≤ 50 ms`,
        `ratio ≤ ${ACK_P50_RATIO_TARGET}`,
      ],
      r.ack.map((a) => [
        a.kind,
        a.load,
        ms(a.bot.latency.p50),
        ms(a.bot.latency.p90),
        ms(a.bot.latency.p99),
        ms(a.bot.latency.max),
        ms(a.bare.latency.p50),
        ms(a.bare.latency.p90),
        ms(a.bare.latency.p99),
        ms(a.bare.latency.max),
        a.p50Ratio.toFixed(2),
        `${a.bot.cpuMsPerRequest} / ${a.bare.cpuMsPerRequest}`,
        `${ms(a.botLoop.eventLoopLagP99Ms)} / ${ms(a.botLoop.eventLoopLagMaxMs)}`,
        verdict(a.p99Pass),
        verdict(a.ratioPass),
      ]),
    ),
    "",
    ...r.ack.flatMap((a) =>
      a.notes.length ? [`- ${a.kind} @ ${a.load}: ${a.notes.join("; ")}`] : [],
    ),
    "",
    ...floodSection(r.flood),
    "### 2. Approve → Reveal DM",
    "",
    table(
      ["ADH latency", "ADH calls waited", "p50", "p90", "p99", "max", "target p50", "verdict"],
      r.clickToDm.map((d) => [
        `${d.adhLatencyMs} ms`,
        `${d.adhCallsOnPath} × ${d.adhLatencyMs} = ${d.adhWaitedMs} ms (${d.adhRoutesOnPath.join(", ")})`,
        ms(d.clickToDm.p50),
        ms(d.clickToDm.p90),
        ms(d.clickToDm.p99),
        ms(d.clickToDm.max),
        `≤ ${d.targetP50Ms} ms`,
        verdict(d.pass),
      ]),
    ),
    "",
    table(
      [
        "replicas",
        "ADH latency",
        "approvals",
        "completed / s",
        "baseline (1 replica)",
        "click → DM p50 under load",
        "p99",
      ],
      r.throughput.map((t) => {
        const single = r.throughput.find(
          (o) => o.replicas === 1 && o.adhLatencyMs === t.adhLatencyMs,
        );
        return [
          t.replicas,
          `${t.adhLatencyMs} ms`,
          t.approvals,
          t.approvalsPerSecond,
          single && t.replicas > 1
            ? `${single.approvalsPerSecond} (× ${(t.approvalsPerSecond / single.approvalsPerSecond).toFixed(2)})`
            : "—",
          ms(t.clickToDm.p50),
          ms(t.clickToDm.p99),
        ];
      }),
    ),
    "",
  );

  const rem = r.reminders;
  out.push(
    `### 3. Reminder scale (${rem.clients} clients × 2 secrets = ${rem.trackedSecrets} tracked; fake ADH 20 ms, 20 in flight)`,
    "",
    table(
      ["figure", "measured", "target", "verdict"],
      [
        [
          "full tenant sync, wall time",
          `${rem.sync.seconds} s`,
          `≤ ${SYNC_TARGET_S} s`,
          verdict(rem.sync.seconds <= SYNC_TARGET_S),
        ],
        [
          "ADH calls (pages + secret lists; HTTP requests incl. retries)",
          `${rem.sync.adhCalls} (${rem.sync.httpRequests})`,
          "—",
          "—",
        ],
        ["429 answers from ADH", rem.sync.count429, "0", verdict(rem.sync.count429 === 0)],
        ["most calls in flight at ADH", rem.syncMaxInFlightAtAdh, "≤ 20", "—"],
        [
          "Redis per tracked secret (INFO used_memory delta)",
          `${rem.memory.infoBytesPerSecret} B`,
          `≤ ${BYTES_PER_SECRET_TARGET} B`,
          verdict(rem.memory.infoBytesPerSecret <= BYTES_PER_SECRET_TARGET),
        ],
        [
          "Redis per tracked secret (Σ MEMORY USAGE of the prefix's keys)",
          `${rem.memory.keysBytesPerSecret} B`,
          `≤ ${BYTES_PER_SECRET_TARGET} B`,
          verdict(rem.memory.keysBytesPerSecret <= BYTES_PER_SECRET_TARGET),
        ],
        [
          "MEMORY USAGE sample: one secret's hash / due-index share",
          `${rem.memory.sampleHashBytes} B / ${rem.memory.dueIndexBytesPerMember} B`,
          "—",
          "—",
        ],
        [
          `due-reminder lookup, one batch of 200 (${rem.due} due of ${rem.trackedSecrets}) p50 / max`,
          `${ms(rem.lookupBatch.p50)} / ${ms(rem.lookupBatch.max)} ms`,
          `≤ ${LOOKUP_TARGET_MS} ms`,
          verdict(rem.lookupBatch.max <= LOOKUP_TARGET_MS),
        ],
        [
          `due-reminder lookup, all ${rem.due} due at once, p50 / max`,
          `${ms(rem.lookupAll.p50)} / ${ms(rem.lookupAll.max)} ms`,
          `≤ ${LOOKUP_TARGET_MS} ms`,
          verdict(rem.lookupAll.max <= LOOKUP_TARGET_MS),
        ],
        [
          "Redis SLOWLOG entries on the benchmark's keys, whole run (slowest)",
          `${r.redisSlowlog.entries} (${r.redisSlowlog.slowest.map((e) => `${e.command} ${e.ms} ms`).join(", ") || "none"})`,
          "—",
          "—",
        ],
      ],
    ),
    "",
  );

  const p = r.process;
  const starts = p.coldStarts.map((s) => s.readyMs).sort((a, b) => a - b);
  const median = starts[Math.floor((starts.length - 1) / 2)] as number;
  out.push(
    "### 4. Process (`node dist/main.js`)",
    "",
    table(
      ["figure", "measured", "target", "verdict"],
      [
        [
          `spawn → /readyz 200, median of ${p.coldStarts.length} cold starts (each)`,
          `${Math.round(median)} ms (${p.coldStarts.map((s) => Math.round(s.readyMs)).join(", ")})`,
          `≤ ${READY_TARGET_MS} ms`,
          verdict(median <= READY_TARGET_MS),
        ],
        [
          "RSS after start",
          `${p.rssAfterStart.rssMb.toFixed(1)} MB`,
          `≤ ${RSS_TARGET_MB} MB`,
          verdict(p.rssAfterStart.rssMb <= RSS_TARGET_MB),
        ],
        [
          "RSS after the ack-latency load (peak during it, not a target; V8 heap used / reserved)",
          `${p.rssAfterAckLoad.rssMb.toFixed(1)} MB (${p.rssAfterAckLoad.hwmMb.toFixed(1)} MB; ${p.heapAfterAckLoad.usedMb} / ${p.heapAfterAckLoad.totalMb} MB)`,
          `≤ ${RSS_TARGET_MB} MB`,
          // The target is the resident memory after the load; the peak is shown beside it.
          verdict(p.rssAfterAckLoad.rssMb <= RSS_TARGET_MB),
        ],
        [
          "RSS after the approval throughput runs too (peak during them)",
          `${p.rssAfterAllLoad.rssMb.toFixed(1)} MB (${p.rssAfterAllLoad.hwmMb.toFixed(1)} MB)`,
          `≤ ${RSS_TARGET_MB} MB`,
          verdict(p.rssAfterAllLoad.rssMb <= RSS_TARGET_MB),
        ],
      ],
    ),
    "",
  );
  return out.join("\n");
}

function floodSection(f: FloodRow | undefined): string[] {
  if (!f) return [];
  const answers = (side: FloodRow["bot"]) =>
    Object.entries(side.floodAnswers)
      .map(([status, n]) => `${n}× ${status}`)
      .join(", ");
  return [
    `### 1b. Signed slash-command acks, ms, while 4 senders flood unsigned 4 MB nested JSON (${f.signedRequests} signed at ${f.ratePerSecond}/s)`,
    "",
    table(
      ["app", "p50", "p90", "p99", "max", "errors", "flood requests (answers)"],
      [
        ["bot", ...floodCells(f.bot), `${f.bot.floodRequests} (${answers(f.bot)})`],
        ["bare Bolt", ...floodCells(f.bare), `${f.bare.floodRequests} (${answers(f.bare)})`],
      ],
    ),
    "",
    `Bot p99 ${ms(f.bot.latency.p99)} ms (target ≤ ${FLOOD_P99_TARGET_MS}): ${verdict(f.p99Pass)}; ` +
      `bot/bare p99 ${f.p99Ratio}× (target ≤ ${FLOOD_RATIO_TARGET}×): ${verdict(f.ratioPass)}.`,
    "",
  ];
}

function floodCells(side: FloodRow["bot"]): (string | number)[] {
  const l = side.latency;
  return [ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max), side.errors];
}

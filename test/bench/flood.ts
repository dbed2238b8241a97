// Signed acks while four senders flood the Slack port with unsigned 4 MB bodies of deeply
// nested JSON (`[[[[…]]]]`, raw and as the `payload=` form field), for the bot and the bare
// Bolt app in the same run. The flood runs in this process; the signed requests and their
// stopwatch in the load generator's, so the timing is not skewed by the flooding itself.
import { request } from "node:http";
import type { LoadGenerator } from "./load-generator.js";
import type { RequestTemplate } from "./load-protocol.js";
import type { Spawned } from "./processes.js";
import { type LatencySummary, round, summarize } from "./stats.js";

export const FLOOD_P99_TARGET_MS = 1_000;
export const FLOOD_RATIO_TARGET = 2;
const FLOOD_SENDERS = 4;
const FOUR_MB = 4 * 1024 * 1024;
const NESTED = "[".repeat(FOUR_MB / 2) + "]".repeat(FOUR_MB / 2);
const BODIES = [
  { type: "application/json", body: Buffer.from(NESTED) },
  { type: "application/x-www-form-urlencoded", body: Buffer.from(`payload=${NESTED}`) },
];

export interface FloodSide {
  latency: LatencySummary;
  errors: number;
  /** Flood requests sent during the run, and how they were answered ("413", "401", "closed"). */
  floodRequests: number;
  floodAnswers: Record<string, number>;
}

export interface FloodRow {
  signedRequests: number;
  ratePerSecond: number;
  bot: FloodSide;
  bare: FloodSide;
  p99Ratio: number;
  p99Pass: boolean;
  ratioPass: boolean;
}

export async function measureAckUnderFlood(input: {
  generator: LoadGenerator;
  bot: Spawned;
  bare: Spawned;
  signingSecret: string;
  template: RequestTemplate;
  count: number;
  log: (line: string) => void;
}): Promise<FloodRow> {
  const ratePerSecond = 20;
  const sideFor = async (target: Spawned): Promise<FloodSide> => {
    const flood = startFlood(target.port);
    try {
      const run = await input.generator.run({
        origins: [target.origin],
        path: "/slack/events",
        signingSecret: input.signingSecret,
        template: input.template,
        shape: { kind: "open", ratePerSecond },
        count: input.count,
      });
      return {
        latency: summarize(run.latenciesMs.filter((v) => Number.isFinite(v))),
        errors: run.errors,
        ...(await flood.stop()),
      };
    } finally {
      await flood.stop();
    }
  };
  input.log("  signed acks under an unsigned 4 MB flood: bare app");
  const bare = await sideFor(input.bare);
  input.log("  signed acks under an unsigned 4 MB flood: bot");
  const bot = await sideFor(input.bot);
  input.log(
    `    bot p50 ${bot.latency.p50} p99 ${bot.latency.p99} | bare p50 ${bare.latency.p50} p99 ${bare.latency.p99}`,
  );
  const p99Ratio = round(bot.latency.p99 / bare.latency.p99);
  return {
    signedRequests: input.count,
    ratePerSecond,
    bot,
    bare,
    p99Ratio,
    p99Pass: bot.latency.p99 <= FLOOD_P99_TARGET_MS,
    ratioPass: p99Ratio <= FLOOD_RATIO_TARGET,
  };
}

function startFlood(port: number): {
  stop(): Promise<{ floodRequests: number; floodAnswers: Record<string, number> }>;
} {
  let running = true;
  const answers: Record<string, number> = {};
  let sent = 0;
  const senders = Array.from({ length: FLOOD_SENDERS }, async (_, s) => {
    for (let n = s; running; n += FLOOD_SENDERS) {
      const answer = await floodOnce(port, n);
      sent += 1;
      answers[answer] = (answers[answer] ?? 0) + 1;
    }
  });
  const done = Promise.all(senders);
  return {
    async stop() {
      running = false;
      await done;
      return { floodRequests: sent, floodAnswers: { ...answers } };
    },
  };
}

/** One unsigned 4 MB request; half of them chunked (no Content-Length to refuse on). */
function floodOnce(port: number, n: number): Promise<string> {
  const { type, body } = BODIES[n % 2] as (typeof BODIES)[number];
  const chunked = n % 4 >= 2;
  const headers: Record<string, string | number> = { "content-type": type };
  if (!chunked) headers["content-length"] = body.length;
  return new Promise((resolve) => {
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/slack/events",
      method: "POST",
      headers,
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
    });
    req.on("error", () => resolve("closed"));
    if (!chunked) {
      req.end(body);
      return;
    }
    for (let i = 0; i < body.length; i += 256 * 1024) req.write(body.subarray(i, i + 256 * 1024));
    req.end();
  });
}

// Reads the bot's own /metrics: event-loop lag (how long a ready callback — an arriving
// request included — waited for the loop) and the V8 heap. prom-client resets the lag
// histogram at every scrape, so a scrape before and after a run measures that run alone.
import { request } from "undici";
import { METRIC_PREFIX } from "../../src/ops/metrics.js";

export interface BotInternals {
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  heapUsedMb: number;
  heapTotalMb: number;
}

export async function scrapeBot(origin: string): Promise<BotInternals> {
  const res = await request(`${origin}/metrics`);
  const text = await res.body.text();
  const value = (name: string) =>
    Number(new RegExp(`^${METRIC_PREFIX}${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  const ms = (seconds: number) => Math.round(seconds * 10_000) / 10;
  const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
  return {
    eventLoopLagP99Ms: ms(value("nodejs_eventloop_lag_p99_seconds")),
    eventLoopLagMaxMs: ms(value("nodejs_eventloop_lag_max_seconds")),
    heapUsedMb: mb(value("nodejs_heap_size_used_bytes")),
    heapTotalMb: mb(value("nodejs_heap_size_total_bytes")),
  };
}

// `npm run bench:ha`: the highly-available Redis figures.
//  1. Failover: time from the Sentinel master's loss to the first approval that succeeds
//     afterwards (target ≤ 15 s with down-after-milliseconds 1000 as in the test group).
//  2. Ack latency of the approve button with the bot on a three-master Cluster beside the
//     same on a single Redis, in the same run (target: Cluster p50/p90 within 1.2×).
// The bot runs in this process (the harness), so the ack figures compare the two setups
// with each other; the absolute figures of `npm run bench` come from separate processes.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { REVEAL } from "../../src/slack/ids.js";
import { MASTER_NAME, startCluster, startSentinelGroup } from "../ha/topology.js";
import { approve, type Harness, startHarness, submitRequest, USERS } from "../support/harness.js";
import { startRedisServer } from "../support/redis-server.js";
import { summarize } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 3);
const ACKS = Number(process.env.BENCH_HA_ACKS ?? 150);
const log = (line: string) => console.error(line);

async function failoverOnce(): Promise<number> {
  const group = await startSentinelGroup();
  let h: Harness | undefined;
  try {
    h = await startHarness({
      env: {
        REDIS_URL: "redis://127.0.0.1:1",
        REDIS_SENTINELS: group.sentinels.join(","),
        REDIS_SENTINEL_MASTER: MASTER_NAME,
        LOG_LEVEL: "warn",
      },
    });
    const pending = [];
    for (let i = 0; i < 40; i++)
      pending.push(await submitRequest(h, USERS.requester, { client: { name: `fo-${i}` } }));
    const lostAt = Date.now();
    await group.master.stop();
    // As a person would: click Approve on the next request every 250 ms until one is
    // created; the figure is when the first "Client created" DM reaches Slack.
    const created = h.slack.waitForCall(
      "chat.postMessage",
      (c) =>
        c.args.channel === USERS.requester &&
        c.at > lostAt &&
        JSON.stringify(c.args.blocks ?? []).includes(REVEAL),
      60_000,
    );
    let done = false;
    void created.then(
      () => {
        done = true;
      },
      () => undefined,
    );
    for (const approval of pending) {
      if (done) break;
      await approve(h, USERS.approver1, approval);
      await new Promise((r) => setTimeout(r, 250));
    }
    return (await created).at - lostAt;
  } finally {
    await h?.close();
    await group.close();
  }
}

async function ackLatency(env: Record<string, string>): Promise<number[]> {
  const h = await startHarness({ env: { LOG_LEVEL: "warn", ...env } });
  try {
    const pending = [];
    for (let i = 0; i < ACKS; i++)
      pending.push(await submitRequest(h, USERS.requester, { client: { name: `ack-${i}` } }));
    const samples: number[] = [];
    // Sequential clicks: the ack path (parse, one CAS in Redis, ack) without queueing.
    for (const approval of pending) samples.push((await approve(h, USERS.approver1, approval)).ms);
    return samples;
  } finally {
    await h.close();
  }
}

const failovers: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const ms = await failoverOnce();
  failovers.push(ms);
  log(`failover round ${round + 1}: first approval ${(ms / 1000).toFixed(2)} s after master loss`);
}

const single = await startRedisServer();
const cluster = await startCluster();
let singleAcks: number[] = [];
let clusterAcks: number[] = [];
try {
  // Interleaved twice so neither setup gets the quieter minute.
  for (let pass = 0; pass < 2; pass++) {
    singleAcks = singleAcks.concat(await ackLatency({ REDIS_URL: single.url }));
    clusterAcks = clusterAcks.concat(
      await ackLatency({ REDIS_CLUSTER_NODES: cluster.addresses.join(",") }),
    );
  }
} finally {
  await Promise.all([single.close(), cluster.close()]);
}
const s = summarize(singleAcks);
const c = summarize(clusterAcks);
const results = {
  failoverToFirstApprovalMs: summarize(failovers),
  approveAckMs: { single: s, cluster: c, ratioP50: c.p50 / s.p50, ratioP90: c.p90 / s.p90 },
};
const md = [
  "| figure | single Redis | Redis Cluster | ratio | target |",
  "|---|---|---|---|---|",
  `| approve ack p50 (ms) | ${s.p50} | ${c.p50} | ${(c.p50 / s.p50).toFixed(2)}× | ≤ 1.2× |`,
  `| approve ack p90 (ms) | ${s.p90} | ${c.p90} | ${(c.p90 / s.p90).toFixed(2)}× | ≤ 1.2× |`,
  "",
  `Sentinel failover → first successful approval: ${failovers.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")} (target ≤ 15 s)`,
].join("\n");
console.log(md);
const out = fileURLToPath(new URL("../../bench-results/", import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}ha.json`, `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);

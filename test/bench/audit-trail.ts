// Audit trail figures (`node --import tsx test/bench/audit-trail.ts`, after `npm run build`
// is not needed: it runs the TypeScript): the cost the audit append adds to the Approve
// path's compare-and-set, measured side by side with it off; export and verify over
// 100,000 events; Redis bytes per event. Real Redis, under a unique prefix deleted at
// the end. BENCH_SCALE=0.1 for a quick look.
import { Writable } from "node:stream";
import { runAuditCli } from "../../src/audit-cli.js";
import * as machine from "../../src/requests/state-machine.js";
import { AUDIT_KEY, AuditTrail } from "../../src/store/audit-stream.js";
import { closeRedis, createRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { sampleRequest } from "../audit/support.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix } from "../support/redis.js";
import { summarize } from "./stats.js";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const TRANSITIONS = Math.round(2_000 * SCALE);
const EVENTS = Math.round(100_000 * SCALE);

const prefix = testPrefix("bench-audit");
// Sequential timing: no auto-pipelining, so each sample is one round trip like a click.
const redis = createRedis(
  { url: TEST_REDIS_URL, keyPrefix: prefix },
  { enableAutoPipelining: false, commandTimeout: 60_000 },
);
const store = new RequestStore(redis);
const trail = new AuditTrail(redis);

const approve = (audited: boolean) => (r: ReturnType<typeof sampleRequest>) => {
  const t = machine.approve(r, "UAPPROVER", { allowSelfApproval: false, now: Date.now() });
  return {
    next: t.next,
    result: null,
    ...(audited
      ? { audit: { type: "request.approved" as const, actor: { slack: "UAPPROVER" } } }
      : {}),
  };
};

async function approvePath(audited: boolean, round: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < TRANSITIONS / 4; i++) {
    const id = `B-${audited ? "on" : "off"}-${round}-${i}`;
    await store.create(sampleRequest(id, { approvalsRequired: 5 }));
    const started = process.hrtime.bigint();
    await store.update(id, approve(audited));
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

async function main() {
  // Approve path, audit off and on, interleaved in rounds so load drift hits both alike.
  const off: number[] = [];
  const on: number[] = [];
  await approvePath(false, -1); // warm-up (script load, JIT)
  await approvePath(true, -1);
  for (let round = 0; round < 4; round++) {
    off.push(...(await approvePath(false, round)));
    on.push(...(await approvePath(true, round)));
  }
  const offS = summarize(off);
  const onS = summarize(on);

  // 100,000 events, appended concurrently (auto-pipelined) to build the stream quickly.
  const filler = createRedis(
    { url: TEST_REDIS_URL, keyPrefix: prefix },
    { commandTimeout: 60_000 },
  );
  const fillTrail = new AuditTrail(filler);
  await filler.del(AUDIT_KEY.stream, AUDIT_KEY.head, AUDIT_KEY.ids);
  const base = Date.parse("2026-01-01T00:00:00Z");
  const fillStarted = performance.now();
  for (let i = 0; i < EVENTS; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, EVENTS - i) }, (_, j) =>
        fillTrail.append({
          id: AuditTrail.eventId("bench", i + j),
          at: base + (i + j) * 1_000,
          type: "request.approved",
          actor: { slack: "U0APPROVER1", adh: "0f0e0d0c-aaaa-bbbb-cccc-111122223333" },
          requestId: `R-${i + j}`,
          clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
          details: { approvals: 1, approvalsRequired: 2 },
        }),
      ),
    );
  }
  const appendPerEventMs = (performance.now() - fillStarted) / EVENTS;
  await closeRedis(filler);

  let exported = 0;
  const sink = new Writable({
    write(chunk, _enc, done) {
      exported += String(chunk).split("\n").length - 1;
      done();
    },
  });
  const exportStarted = performance.now();
  await runAuditCli(["export"], redis, {
    out: (text) => new Promise<void>((resolve) => sink.write(text, () => resolve())),
    err: () => undefined,
  });
  const exportSeconds = (performance.now() - exportStarted) / 1000;

  const verifyStarted = performance.now();
  const verified = await trail.verify();
  const verifySeconds = (performance.now() - verifyStarted) / 1000;

  const streamBytes = Number(
    await redis.call("MEMORY", "USAGE", `${prefix}${AUDIT_KEY.stream}`, "SAMPLES", "0"),
  );
  const idsBytes = Number(
    await redis.call("MEMORY", "USAGE", `${prefix}${AUDIT_KEY.ids}`, "SAMPLES", "0"),
  );
  const [, sample] = (await redis.xrange(AUDIT_KEY.stream, "-", "+", "COUNT", 1))[0] ?? [];

  const results = {
    approvePathMs: {
      auditOff: offS,
      auditOn: onS,
      addedP50: +(onS.p50 - offS.p50).toFixed(3),
      addedMean: +(onS.mean - offS.mean).toFixed(3),
      target: "≤ 0.5 ms added",
    },
    standaloneAppendMsPerEventPipelined: +appendPerEventMs.toFixed(4),
    exportSeconds: +exportSeconds.toFixed(2),
    exportedEvents: exported,
    verifySeconds: +verifySeconds.toFixed(2),
    verify: verified.ok ? `ok (${verified.checked} events)` : `broken at ${verified.brokenEventId}`,
    events: EVENTS,
    target: "export and verify ≤ 5 s each over 100,000 events",
    redisBytesPerEvent: {
      stream: Math.round(streamBytes / EVENTS),
      idIndex: Math.round(idsBytes / EVENTS),
      total: Math.round((streamBytes + idsBytes) / EVENTS),
      eventJsonBytes: Buffer.byteLength(sample?.[1] ?? ""),
    },
  };
  console.log(JSON.stringify(results, null, 2));
}

try {
  await main();
} finally {
  await closeRedis(redis);
  await deletePrefix(prefix);
}

// The load generator, in its own process so its stopwatch never waits on the event loop
// of the bot or the fakes. It signs every request the way Slack does, with a fresh
// timestamp, and sends it over keep-alive connections (undici Pool).
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import {
  encodeForm,
  type FromGenerator,
  type MintedIds,
  type RequestTemplate,
  type RunResult,
  type RunSpec,
  type ToGenerator,
} from "./load-protocol.js";

// Triggers live 3 s on the fake (as at Slack); one older than this is not handed out.
const MINTED_MAX_AGE_MS = 1_500;
const MINT_BATCH = 400;
const MINT_LOW_WATER = 200;

const send = (message: FromGenerator) => process.send?.(message);

// ── freshly minted trigger ids and response_urls, topped up from the parent ────────
let supply: (MintedIds & { at: number })[] = [];
let refill: Promise<void> | undefined;
let onMinted: (() => void) | undefined;

function topUp(): Promise<void> {
  refill ??= new Promise<void>((resolve) => {
    onMinted = resolve;
    send({ type: "mint", count: MINT_BATCH });
  }).finally(() => {
    refill = undefined;
  });
  return refill;
}

async function nextMinted(): Promise<MintedIds> {
  for (;;) {
    const now = performance.now();
    const fresh = supply.findIndex((m) => now - m.at <= MINTED_MAX_AGE_MS);
    supply = fresh < 0 ? [] : supply.slice(fresh);
    if (supply.length < MINT_LOW_WATER) void topUp();
    const item = supply.shift();
    if (item) return item;
    await topUp();
  }
}

// ── request bodies ───────────────────────────────────────────────────────────────
/** Splits the template once: even indexes are literal text, odd ones variable names. */
function compile(template: RequestTemplate): (vars: Record<string, string>) => string {
  const parts = template.body.split(/__VAR_([A-Za-z]+)__/);
  return (vars) =>
    parts
      .map((part, i) => {
        if (i % 2 === 0) return part;
        const value = vars[part];
        if (value === undefined) throw new Error(`no value for __VAR_${part}__`);
        return value;
      })
      .join("");
}

function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** "200 empty", "200 update", "401 …": enough to tell a pane-2 update from an empty ack or an error. */
function answerKind(status: number, text: string): string {
  if (text === "") return `${status} empty`;
  const action = /^\{"response_action":"(\w+)"/.exec(text)?.[1];
  return `${status} ${action ?? text.slice(0, 40)}`;
}

async function run(spec: RunSpec): Promise<RunResult> {
  const build = compile(spec.template);
  const pools = spec.origins.map(
    (origin) => new Pool(origin, { connections: 32, pipelining: 1, keepAliveTimeout: 10_000 }),
  );
  const latenciesMs = new Array<number>(spec.count).fill(Number.NaN);
  const sentAtMs = new Array<number>(spec.count).fill(0);
  const answers: Record<string, number> = {};
  const firstErrors: string[] = [];
  let errors = 0;

  const fire = async (i: number): Promise<void> => {
    const vars = { ...(spec.template.vars?.[i] ?? {}) };
    if (spec.template.minted) {
      const minted = await nextMinted();
      vars.trigger = encodeForm(minted.trigger);
      vars.responseUrl = encodeForm(minted.responseUrl);
    }
    const body = build(vars);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": sign(spec.signingSecret, timestamp, body),
    };
    const pool = pools[i % pools.length] as Pool;
    sentAtMs[i] = Date.now();
    const started = performance.now();
    try {
      const res = await pool.request({ path: spec.path, method: "POST", headers, body });
      const text = await res.body.text();
      latenciesMs[i] = performance.now() - started;
      const kind = answerKind(res.statusCode, text);
      answers[kind] = (answers[kind] ?? 0) + 1;
    } catch (error) {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(String(error));
    }
  };

  const started = performance.now();
  let maxLagMs = 0;
  if (spec.shape.kind === "open") {
    const interval = 1000 / spec.shape.ratePerSecond;
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now() + 5;
    for (let i = 0; i < spec.count; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait - 0.5);
      while (performance.now() < due) {
        // spin the last half millisecond: timers are only millisecond-precise
      }
      maxLagMs = Math.max(maxLagMs, performance.now() - due);
      inFlight.push(fire(i));
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    const connection = async () => {
      while (next < spec.count) await fire(next++);
    };
    await Promise.all(Array.from({ length: spec.shape.concurrency }, connection));
  }
  const durationMs = performance.now() - started;
  await Promise.all(pools.map((p) => p.close()));
  return { latenciesMs, sentAtMs, answers, errors, firstErrors, durationMs, maxLagMs };
}

process.on("message", (message: ToGenerator) => {
  switch (message.type) {
    case "minted": {
      const at = performance.now();
      supply.push(...message.items.map((m) => ({ ...m, at })));
      onMinted?.();
      onMinted = undefined;
      return;
    }
    case "run":
      run(message.spec).then(
        (result) => send({ type: "result", id: message.id, result }),
        (error: unknown) => send({ type: "failed", id: message.id, message: String(error) }),
      );
      return;
    case "exit":
      process.disconnect();
      return;
  }
});
// The benchmark gone (finished or crashed): nothing left to do.
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });

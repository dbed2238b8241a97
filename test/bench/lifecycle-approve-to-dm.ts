// Approve → "Client updated/disabled" DM for the lifecycle kinds (issue 11): the real bot
// in HTTP mode, the fake ADH answering at 0 ms and at 50 ms, the fake Slack. Approvals are
// clicked one at a time (signed HTTP, as Slack sends them), so each path runs alone.
// Run: `npm run bench:lifecycle` (prints the numbers; target p50 ≤ 100 ms + ADH's time).
import { KIND } from "../../src/requests/model.js";
import { APPROVAL_CHANNEL, approve, startHarness, USERS } from "../support/harness.js";
import { summarize } from "./stats.js";

const PER_LATENCY = Number(process.env.BENCH_LIFECYCLE_APPROVALS ?? 40);
const BUDGET_MS = 100;

async function main(): Promise<void> {
  const h = await startHarness();
  try {
    for (const latency of [0, 50]) {
      for (const kind of [KIND.disable, KIND.edit] as const) {
        const samples: number[] = [];
        let adhCalls = 0;
        for (let i = 0; i < PER_LATENCY; i++) {
          h.adh.setLatency(0);
          const { id } = h.adh.addClient({
            Name: `bench-${latency}-${kind}-${i}`,
            Enabled: true,
            RedirectUris: ["https://bench.example.com/cb"],
          });
          const key = `bench-${latency}-${kind}-${i}`;
          const opened = await h.bot.workflow.lifecycle.open(key, {
            kind,
            requesterId: USERS.requester,
            channelId: "C0GENERAL1",
            clientId: id,
          });
          if (!opened.ok) throw new Error(`form refused: ${JSON.stringify(opened.refusal)}`);
          const edit = {
            name: `bench-${latency}-${kind}-${i}-renamed`,
            allowOfflineAccess: false,
            redirectUris: ["https://bench.example.com/cb"],
            postLogoutRedirectUris: [],
            accessTokenLifetime: 3600,
            enabled: true,
          };
          const submitted = await h.bot.workflow.lifecycle.submit(key, USERS.requester, {
            reason: "bench",
            ...(kind === KIND.edit ? { edit } : {}),
          });
          if (!submitted.ok) throw new Error(`not submitted: ${JSON.stringify(submitted)}`);
          const approval = await h.slack.waitForCall(
            "chat.postMessage",
            (c) =>
              c.args.channel === APPROVAL_CHANNEL && JSON.stringify(c.args.blocks).includes(id),
          );
          h.adh.setLatency(latency);
          const callsBefore = h.adh.calls.length;
          const sent = Date.now();
          await approve(h, USERS.approver1, approval);
          const dm = await h.slack.waitForCall(
            "chat.postMessage",
            (c) =>
              c.args.channel === USERS.requester &&
              String(c.args.text).includes(id) &&
              /Client (updated|disabled)/.test(String(c.args.text)),
          );
          samples.push(dm.at - sent);
          adhCalls += h.adh.calls.slice(callsBefore).filter((c) => c.at <= dm.at).length;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const s = summarize(samples);
        const calls = Math.round(adhCalls / PER_LATENCY);
        const target = BUDGET_MS + calls * latency;
        console.log(
          `${kind} · ADH at ${latency} ms · ${s.count} approvals · click → DM p50 ${s.p50} ms, p90 ${s.p90} ms, max ${s.max} ms · ~${calls} ADH calls on the path · target p50 ≤ ${target} ms · ${s.p50 <= target ? "PASS" : "FAIL"}`,
        );
      }
    }
  } finally {
    await h.close();
  }
}

await main();

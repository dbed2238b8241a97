// `npm run demo`: the whole journey without a Slack workspace or an ADH tenant. The real
// bot runs against the project's own fake Slack and fake ADH (test/fakes) and a real
// Redis — REDIS_URL with a key prefix of its own, or, when REDIS_URL is unset and
// redis-server is installed, a temporary one — and this script plays the people:
// request → approval → creation → reveal → an expiry reminder, printing in plain text
// what each of them sees. It removes its keys and processes when done.
//
// No secret value is printed except in the reveal step, which only the requester sees.
import { spawnSync } from "node:child_process";

const DEADLINE_MS = 15_000;
const started = performance.now();
const deadline = setTimeout(() => {
  console.error(`demo: not finished within ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

type Blocks = Record<string, unknown>[];

/** Slack mrkdwn to plain text: dates and links show their fallback/label, no markup. */
function plain(text: string): string {
  return text
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/<(?:https?:|mailto:)[^|>]*\|([^>]*)>/g, "$1")
    .replace(/<@([UW][A-Z0-9]+)>/g, "@$1")
    .replace(/<#(C[A-Z0-9]+)(?:\|[^>]*)?>/g, "#$1")
    .replace(/[*_~`]/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

const textOf = (t: unknown) => plain(String((t as { text?: string } | undefined)?.text ?? ""));

/** The characters of a rich_text block (preformatted ids and secrets), however nested. */
function richText(node: unknown): string {
  if (Array.isArray(node)) return node.map(richText).join("");
  if (node && typeof node === "object") {
    const n = node as { text?: unknown; elements?: unknown };
    return typeof n.text === "string" ? n.text : richText(n.elements);
  }
  return "";
}

/** What a person sees of a message or view: one indented line per block. */
function render(blocks: unknown, fallback = ""): string {
  const list = Array.isArray(blocks) ? (blocks as Blocks) : [];
  if (list.length === 0) return `    ${plain(fallback)}`;
  const lines: string[] = [];
  for (const b of list) {
    switch (b.type) {
      case "header":
        lines.push(`  ${textOf(b.text).toUpperCase()}`);
        break;
      case "section": {
        if (b.text) lines.push(textOf(b.text));
        for (const f of (b.fields as unknown[]) ?? []) lines.push(textOf(f).replace("\n", ": "));
        break;
      }
      case "context":
        for (const e of (b.elements as unknown[]) ?? []) lines.push(`(${textOf(e)})`);
        break;
      case "actions":
        lines.push(
          ((b.elements as { text?: unknown }[]) ?? [])
            .map((e) => `[ ${textOf(e.text)} ]`)
            .join(" "),
        );
        break;
      case "input":
        lines.push(`${textOf(b.label)}: ____`);
        break;
      case "rich_text":
        lines.push(`  ${richText(b.elements)}`);
        break;
      case "divider":
        lines.push("────");
        break;
    }
  }
  return lines
    .flatMap((l) => l.split("\n"))
    .filter((l) => l.trim() !== "")
    .map((l) => `    ${l}`)
    .join("\n");
}

let stepNo = 0;
function step(who: string, what: string, seen: string): void {
  stepNo += 1;
  console.log(`\n${stepNo}. ${who} — ${what}\n${seen}`);
}

// ── Redis: the configured one, or a temporary redis-server ──────────────────────────
let privateRedis: { url: string; close(): Promise<void> } | undefined;
if (!process.env.REDIS_URL) {
  const found = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  if (found.status === 0) {
    const { startRedisServer } = await import("../test/support/redis-server.js");
    privateRedis = await startRedisServer();
    process.env.REDIS_URL = privateRedis.url;
  } else {
    process.env.REDIS_URL = "redis://127.0.0.1:6379";
  }
}
// Imported only now: the test support reads REDIS_URL when it loads.
const support = await import("../test/support/harness.js");
const { REVEAL } = await import("../src/slack/ids.js");
const {
  APPROVAL_CHANNEL,
  USERS,
  approve,
  messageTs,
  startHarness,
  submitRequest,
  waitForRevealDm,
} = support;

// A clock the demo can move forward to show a reminder without waiting months.
let clockOffsetMs = 0;
const now = () => Date.now() + clockOffsetMs;

const h = await startHarness({ bot: { now } });
let exitCode = 0;
try {
  console.log(
    `hybrid-client-bot demo: fake Slack ${h.slack.url}, fake ADH ${h.adh.url}, Redis ${privateRedis ? `temporary at ${privateRedis.url}` : "from REDIS_URL"} (keys under ${h.prefix})`,
  );

  // 1. The requester fills in the two-pane form.
  const approval = await submitRequest(h);
  const modal = h.slack.callsTo("views.open").at(-1);
  const view = modal?.args.view as { title?: unknown; blocks?: unknown } | undefined;
  step(
    `Requester <@${USERS.requester}>`,
    "types /hybrid-client add and sees a form",
    `    « ${textOf(view?.title)} »\n${render(view?.blocks)}\n    …fills it in (inventory-app, a secret valid 200 days) and submits.`,
  );

  // 2. The approvers see the request in the approvals channel.
  step(
    `Approvers in #${APPROVAL_CHANNEL}`,
    "see the request",
    render(approval.args.blocks, String(approval.args.text)),
  );

  // 3. One approver approves; the message is updated for everyone.
  await approve(h, USERS.approver1, approval);
  const updated = await h.slack.waitForCall(
    "chat.update",
    (c) =>
      c.args.ts === messageTs(approval) && !JSON.stringify(c.args.blocks).includes('"Approve"'),
    10_000,
  );
  step(
    `Approver <@${USERS.approver1}>`,
    "clicks Approve; the approvals message now reads",
    render(updated.args.blocks, String(updated.args.text)),
  );

  // 4. The bot created the client in ADH and tells the requester in a DM.
  const dm = await waitForRevealDm(h, approval);
  step(
    `Requester <@${USERS.requester}>`,
    "gets a direct message once ADH created the client",
    render(dm.args.blocks, String(dm.args.text)),
  );

  // 5. The requester reveals the secret: an ephemeral answer only they see.
  await h.driver.clickButton(
    USERS.requester,
    { actionId: REVEAL },
    { channel: String(dm.response.channel), messageTs: messageTs(dm) },
  );
  const client = h.adh.clients().find((c) => c.Name === "inventory-app");
  const reveal = await h.slack.waitForResponse((r) =>
    JSON.stringify(r.body).includes(client?.Id ?? "?"),
  );
  const body = reveal.body as { blocks?: unknown; text?: string };
  step(
    `Requester <@${USERS.requester}> only`,
    "clicks Reveal secret and sees, once (the only place the secret is ever shown)",
    render(body.blocks, String(body.text ?? "")),
  );

  // 6. Months later: the secret nears its expiry and the team's channel is reminded.
  const tracked = await h.bot.reminders.tracked.listTracked();
  const minted = tracked.find((s) => s.clientId === client?.Id);
  if (!minted?.expiration) throw new Error("the minted secret is not tracked");
  clockOffsetMs = (minted.expiration - 6.5 * 86_400) * 1000 - Date.now();
  const daysLater = Math.round(clockOffsetMs / 86_400_000);
  await h.bot.reminders.scanDue();
  const reminder = await h.slack.waitForCall(
    "chat.postMessage",
    (c) => c.args.channel === minted.channel && /expires in/.test(String(c.args.text)),
    5_000,
  );
  step(
    `The team in #${minted.channel}`,
    `${daysLater} days later, the secret has 7 days left`,
    render(reminder.args.blocks, String(reminder.args.text)),
  );

  console.log(
    `\ndemo complete in ${((performance.now() - started) / 1000).toFixed(1)} s; cleaning up.`,
  );
} catch (error) {
  exitCode = 1;
  console.error(`demo failed: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  await h.close(); // stops the bot and the fakes, deletes the demo's keys
  await privateRedis?.close();
}
process.exit(exitCode);

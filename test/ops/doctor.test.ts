// npm run doctor against the fake Slack, the fake ADH and the real Redis: a healthy setup
// passes every check; each broken part fails with the fix that repairs it.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAdhHost, MANIFEST_URL, runDoctor } from "../../src/doctor.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix } from "../support/redis.js";

const APPROVALS = "C0APPROVALS";
const REMINDERS = "C0REMINDERS";
const ALICE = "U0ALICE01";
const ADMINS = "S0ADMINS01";
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const MANIFEST_SCOPES: string[] = JSON.parse(readFileSync(MANIFEST_URL, "utf8")).oauth_config.scopes
  .bot;

/** A port nothing listens on: bind an ephemeral one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let slack: FakeSlack;
let adh: FakeAdh;
const prefix = testPrefix("doctor");
const allOutput: string[] = [];

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    ADH_BASE_URL: adh.url,
    ADH_TENANT_ID: adh.tenantId,
    ADH_CLIENT_ID: adh.clientId,
    ADH_CLIENT_SECRET: adh.clientSecret,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    APPROVAL_CHANNEL: APPROVALS,
    REMINDER_CHANNEL: REMINDERS,
    APPROVERS: `${ALICE},${ADMINS}`,
    ...overrides,
  };
}

async function doctor(e: NodeJS.ProcessEnv): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runDoctor(e, (line) => lines.push(line));
  allOutput.push(...lines);
  return { code, lines };
}

const lineFor = (lines: string[], name: string) => lines.find((l) => l.includes(name)) ?? "";

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.addUser({ id: ALICE, name: "alice", email: "alice@example.com" });
  slack.addUser({ id: "U0BOB0001", name: "bob" });
  slack.addUser({ id: "U0GONE001", name: "gone", deleted: true });
  slack.addUser({ id: "U0ROBOT01", name: "robot", isBot: true });
  slack.addUserGroup(ADMINS, ["U0BOB0001"]);
  slack.addUserGroup("S0EMPTY01", []);
  slack.addChannel(APPROVALS, { member: true });
  slack.addChannel(REMINDERS, { member: true });
  slack.addChannel("C0OUTSIDE", { member: false });
  adh = await startFakeAdh();
});

afterAll(async () => {
  // Whatever happened, no run printed a secret or a token.
  const text = allOutput.join("\n");
  for (const secret of [adh.clientSecret, slack.botToken, SIGNING_SECRET, ...adh.issuedTokens]) {
    expect(text).not.toContain(secret);
  }
  await Promise.all([slack.close(), adh.close()]);
  await deletePrefix(prefix);
});

describe("npm run doctor", () => {
  it("passes every check against a healthy setup and exits 0", async () => {
    const { code, lines } = await doctor(env());
    // The fake ADH's host is not an AVEVA one: that check did not run, so it gets no tick.
    expect(lines.filter((l) => !l.startsWith("✔"))).toEqual([
      expect.stringMatching(
        /^– ADH_BASE_URL accepts identity writes — skipped: 127\.0\.0\.1 is not/,
      ),
    ]);
    expect(code).toBe(0);
    expect(lines.map((l) => l.replace(/ \(.*\)$/, ""))).toEqual([
      "✔ configuration",
      "✔ policy in force",
      expect.stringMatching(/^✔ Redis answers PING at 127\.0\.0\.1:\d+$/),
      "✔ Slack bot token works",
      "✔ Slack token has the scopes of manifest/manifest.json",
      `✔ bot is a member of APPROVAL_CHANNEL ${APPROVALS}`,
      `✔ bot is a member of REMINDER_CHANNEL ${REMINDERS}`,
      `✔ approver ${ALICE} is an active person in Slack`,
      `✔ approver group ${ADMINS} has members`,
      "✔ approvers can meet APPROVALS_REQUIRED=1",
      expect.stringMatching(/^– ADH_BASE_URL accepts identity writes — skipped/),
      "✔ ADH token for ADH_CLIENT_ID",
      "✔ ADH client holds the Tenant Administrator role",
      "✔ the bot's own ADH secrets",
    ]);
  });

  it("names the invite when the bot is not in APPROVAL_CHANNEL", async () => {
    const { code, lines } = await doctor(env({ APPROVAL_CHANNEL: "C0OUTSIDE" }));
    expect(code).toBe(1);
    expect(lineFor(lines, "APPROVAL_CHANNEL C0OUTSIDE")).toBe(
      "✘ bot is a member of APPROVAL_CHANNEL C0OUTSIDE — the bot is not a member of the channel. Fix: type /invite @hybrid-client-bot in that channel (or open the channel's details > Integrations > Add apps).",
    );
    expect(lines.at(-1)).toBe("1 problem found; fix them and run npm run doctor again.");
  });

  it("names a channel Slack cannot find", async () => {
    const { code, lines } = await doctor(env({ REMINDER_CHANNEL: "G0PRIVATE1" }));
    expect(code).toBe(1);
    const line = lineFor(lines, "REMINDER_CHANNEL G0PRIVATE1");
    expect(line).toMatch(/^✘ .*no such channel/);
    expect(line).toContain("/invite @hybrid-client-bot");
  });

  it("names each approver that does not resolve to an active person or a non-empty group", async () => {
    const { code, lines } = await doctor(
      env({ APPROVERS: `${ALICE},U0NOBODY1,U0GONE001,U0ROBOT01,S0EMPTY01,S0NOGROUP` }),
    );
    expect(code).toBe(1);
    expect(lineFor(lines, `approver ${ALICE}`)).toMatch(/^✔/);
    expect(lineFor(lines, "U0NOBODY1")).toBe(
      "✘ approver U0NOBODY1 is an active person in Slack — Slack knows no user U0NOBODY1 in this workspace. Fix: correct or remove U0NOBODY1 in APPROVERS (a person's member id: their Slack profile > ⋮ > Copy member ID).",
    );
    expect(lineFor(lines, "U0GONE001")).toMatch(
      /^✘ .*deactivated.*Fix: correct or remove U0GONE001 in APPROVERS/,
    );
    expect(lineFor(lines, "U0ROBOT01")).toMatch(
      /^✘ .*a bot, not a person.*Fix: correct or remove U0ROBOT01/,
    );
    expect(lineFor(lines, "S0EMPTY01")).toMatch(
      /^✘ .*no members.*Fix: add people to the group, or correct or remove S0EMPTY01/,
    );
    expect(lineFor(lines, "S0NOGROUP")).toMatch(
      /^✘ .*no user group S0NOGROUP.*Fix: correct or remove S0NOGROUP in APPROVERS/,
    );
    expect(lines.at(-1)).toBe("5 problems found; fix them and run npm run doctor again.");
  });

  it("names the missing scope and says to reinstall from the manifest", async () => {
    const narrow = await startFakeSlack({
      scopes: MANIFEST_SCOPES.filter((s) => s !== "im:write"),
    });
    try {
      narrow.addUser({ id: ALICE, name: "alice" });
      narrow.addUserGroup(ADMINS, [ALICE]);
      narrow.addChannel(APPROVALS);
      narrow.addChannel(REMINDERS);
      const { code, lines } = await doctor(env({ SLACK_API_URL: narrow.url }));
      expect(code).toBe(1);
      expect(lineFor(lines, "scopes")).toBe(
        "✘ Slack token has the scopes of manifest/manifest.json — the token lacks im:write. Fix: reinstall the app from manifest/manifest.json (app settings > App Manifest: paste it, save, then Install App > Reinstall) so the token gets every scope.",
      );
      expect(lines.filter((l) => l.startsWith("✘"))).toHaveLength(1);
    } finally {
      await narrow.close();
    }
  });

  it("says which variables to check when the ADH credentials are wrong, and skips the role check", async () => {
    const { code, lines } = await doctor(env({ ADH_CLIENT_SECRET: "not-the-secret" }));
    expect(code).toBe(1);
    const line = lineFor(lines, "ADH token");
    expect(line).toMatch(
      /^✘ ADH token for ADH_CLIENT_ID \(client credentials\) — ADH answered 400/,
    );
    expect(line).toContain("invalid_client");
    expect(line).toContain("Fix: check ADH_CLIENT_ID and ADH_CLIENT_SECRET");
    expect(line).not.toContain("not-the-secret");
    expect(lineFor(lines, "Tenant Administrator")).toBe(
      "– ADH client holds the Tenant Administrator role — skipped: needs an ADH token",
    );
  });

  it("fails when the bot's ADH client lacks Tenant Administrator and says where to add it", async () => {
    adh.setBotAdmin(false);
    try {
      const { code, lines } = await doctor(env());
      expect(code).toBe(1);
      expect(lineFor(lines, "Tenant Administrator")).toBe(
        "✘ ADH client holds the Tenant Administrator role — the client lacks Tenant Administrator (roles held: Tenant Member). Fix: in the ADH portal, Security > Clients > Client Credentials > the bot's client (ADH_CLIENT_ID) > Roles: add Tenant Administrator.",
      );
    } finally {
      adh.setBotAdmin(true);
    }
  });

  it("names ADH_TENANT_ID when ADH does not know the tenant", async () => {
    const { code, lines } = await doctor(
      env({ ADH_TENANT_ID: "00000000-0000-4000-8000-000000000000" }),
    );
    expect(code).toBe(1);
    expect(lineFor(lines, "Tenant Administrator")).toMatch(/^✘ .*Fix: check ADH_TENANT_ID/);
  });

  it("says to check REDIS_URL when nothing listens there", async () => {
    const port = await closedPort();
    const { code, lines } = await doctor(
      env({ REDIS_URL: `redis://:hunter2secret@127.0.0.1:${port}` }),
    );
    expect(code).toBe(1);
    const line = lineFor(lines, "Redis");
    expect(line).toMatch(
      new RegExp(
        `^✘ Redis answers PING at 127\\.0\\.0\\.1:${port} — Redis did not answer: .*ECONNREFUSED`,
      ),
    );
    expect(line).toContain("Fix: check REDIS_URL, and that Redis runs and is reachable");
    expect(lines.join("\n")).not.toContain("hunter2secret");
    expect(lines.filter((l) => l.startsWith("✘"))).toHaveLength(1);
  });

  it("refuses an APPROVALS_REQUIRED that the distinct approvers cannot meet", async () => {
    // ALICE is listed and also in the group: she counts once, so two people can approve.
    slack.addUserGroup("S0WITHALI", [ALICE, "U0BOB0001"]);
    const three = await doctor(env({ APPROVERS: `${ALICE},S0WITHALI`, APPROVALS_REQUIRED: "3" }));
    expect(three.code).toBe(1);
    expect(lineFor(three.lines, "approvers can meet")).toMatch(
      /^✘ approvers can meet APPROVALS_REQUIRED=3 — APPROVALS_REQUIRED is 3 but only 2 distinct people can approve.*Fix: lower APPROVALS_REQUIRED to at most 2/,
    );
    expect(three.lines.filter((l) => l.startsWith("✘"))).toHaveLength(1);

    const two = await doctor(env({ APPROVERS: `${ALICE},S0WITHALI`, APPROVALS_REQUIRED: "2" }));
    expect(lineFor(two.lines, "approvers can meet")).toBe(
      "✔ approvers can meet APPROVALS_REQUIRED=2 (2 distinct approvers)",
    );
  });

  it("names the real network cause, not 'fetch failed'", async () => {
    const port = await closedPort();
    const refused = await doctor(env({ SLACK_API_URL: `http://127.0.0.1:${port}/api/` }));
    const slackLine = lineFor(refused.lines, "Slack bot token works");
    expect(slackLine).toMatch(/^✘ .*ECONNREFUSED/);
    expect(slackLine).not.toMatch(/fetch failed/);

    const unknownHost = await doctor(env({ ADH_BASE_URL: "http://no-such-host.invalid" }));
    const adhLine = lineFor(unknownHost.lines, "ADH token");
    expect(adhLine).toMatch(/^✘ .*ENOTFOUND/);
    expect(adhLine).not.toMatch(/fetch failed/);
  }, 30_000);

  it("says to fix SLACK_BOT_TOKEN when Slack refuses it, and skips what needs it", async () => {
    const { code, lines } = await doctor(env({ SLACK_BOT_TOKEN: "xoxb-revoked-0000" }));
    expect(code).toBe(1);
    expect(lineFor(lines, "Slack bot token")).toMatch(
      /^✘ Slack bot token works — Slack refused the token: invalid_auth\. Fix: check SLACK_BOT_TOKEN .*reinstall the app/,
    );
    expect(lineFor(lines, "scopes")).toMatch(/^– .*skipped: needs a working Slack token$/);
    expect(lineFor(lines, "APPROVAL_CHANNEL")).toMatch(/^– .*skipped/);
    expect(lines.join("\n")).not.toContain("xoxb-revoked-0000");
  });

  it("stops after printing the configuration problems", async () => {
    const slackCallsBefore = slack.calls.length;
    const { code, lines } = await doctor(
      env({ APPROVAL_CHANNEL: undefined, ADH_TENANT_ID: "nope" }),
    );
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^✘ configuration — hybrid-client-bot cannot start/);
    expect(lines[0]).toContain("APPROVAL_CHANNEL");
    expect(lines[0]).toContain("ADH_TENANT_ID");
    expect(lines.some((l) => l.includes("Redis"))).toBe(false);
    expect(slack.calls.length).toBe(slackCallsBefore);
  });

  it("refuses a regional ADH host, where creating clients and secrets is not accepted", () => {
    expect(checkAdhHost("https://euno.datahub.connect.aveva.com")).toEqual({
      status: "failed",
      problem:
        "ADH_BASE_URL points at the regional host euno.datahub.connect.aveva.com; ADH accepts creating clients and secrets only on the global host",
      fix: "set ADH_BASE_URL=https://uswe.datahub.connect.aveva.com",
    });
    expect(checkAdhHost("https://uswe.datahub.connect.aveva.com")).toEqual({
      status: "ok",
      detail: "global host",
    });
  });

  it("runs as a CLI: prints the checklist and exits with its code", async () => {
    const entry = fileURLToPath(new URL("../../src/doctor.ts", import.meta.url));
    // Resolved here: the child runs in a directory with no node_modules.
    const tsx = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
    const child = spawn(process.execPath, ["--import", tsx, entry], {
      cwd: tmpdir(), // no .env there: the environment below is all it gets
      env: { PATH: process.env.PATH, ...env({ APPROVAL_CHANNEL: "C0OUTSIDE" }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    allOutput.push(stdout, stderr);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(stdout).toContain("✔ configuration\n");
    expect(stdout).toContain("✘ bot is a member of APPROVAL_CHANNEL C0OUTSIDE");
  });
});

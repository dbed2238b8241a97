// Reminder, finding and client-list messages: within Slack's limits, names escaped, and
// accepted by the fake Slack Web API (which refuses what Slack refuses).
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/adh/client-catalog.js";
import type { DueReminder, NeverExpiresFinding } from "../../src/reminders/ports.js";
import { buildClientList } from "../../src/slack/client-list/message.js";
import { REQUEST_NEW_SECRET } from "../../src/slack/ids.js";
import {
  buildNeverExpiresFinding,
  buildReminderMessage,
} from "../../src/slack/reminders/messages.js";
import { SlackReminderNotifier } from "../../src/slack/reminders/notifier.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { limitViolations } from "../support/block-limits.js";

const NOW = 1_800_000_000; // epoch s
const DAY = 86_400;
const EVIL = "<!channel> & <@U0123ABCD> <https://evil.example|click>";

const reminder = (over: Partial<DueReminder> = {}): DueReminder => ({
  clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  clientName: "Billing exporter",
  secretId: 3,
  description: "prod key",
  expiration: NOW + 6.5 * DAY,
  channel: "CTEAM0001",
  threshold: 7,
  daysLeft: 6.5,
  source: "bot",
  ...over,
});

const finding: NeverExpiresFinding = {
  clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  clientName: EVIL,
  secretId: 1,
  description: EVIL,
  channel: "CREMIND01",
  source: "tenant",
};

const json = (v: unknown) => JSON.stringify(v);
/** Text of the whole message, as Slack would parse it for mentions and links. */
const allText = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${json(m.blocks)}`;

describe("the reminder message", () => {
  it("names the client, its Id, the secret, the expiry in each reader's time zone and the days left", () => {
    const m = buildReminderMessage(reminder());
    const text = allText(m);
    expect(limitViolations(m)).toEqual([]);
    expect(text).toContain("Billing exporter");
    expect(text).toContain("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    expect(text).toContain("prod key (id 3)");
    const epoch = NOW + 6.5 * DAY;
    const iso = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
    expect(text).toContain(`<!date^${epoch}^{date_short_pretty} {time}|${iso}>`);
    expect(text).toContain("7 days left");
    expect(m.blocks[0]).toMatchObject({
      type: "header",
      text: { text: "⏳ Client secret expires in 7 days" },
    });
  });

  it("says 'expires today' under a day and 'expired' after", () => {
    expect(
      allText(
        buildReminderMessage(reminder({ daysLeft: 0.5, threshold: 1, expiration: NOW + DAY / 2 })),
      ),
    ).toContain("expires today");
    const expired = buildReminderMessage(
      reminder({ daysLeft: -2, threshold: 0, expiration: NOW - 2 * DAY }),
    );
    expect(allText(expired)).toContain("(expired)");
    expect(expired.blocks[0]).toMatchObject({ text: { text: "⏳ Client secret has expired" } });
  });

  it("carries one Request new secret button whose value is only the client id", () => {
    const m = buildReminderMessage(reminder());
    const actions = m.blocks.find((b) => b.type === "actions");
    expect(actions).toMatchObject({
      elements: [
        {
          type: "button",
          action_id: REQUEST_NEW_SECRET,
          value: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
          text: { text: "Request new secret" },
        },
      ],
    });
  });

  it("escapes a hostile client name and description so nobody is pinged and no link is smuggled", () => {
    const m = buildReminderMessage(reminder({ clientName: EVIL, description: EVIL }));
    const text = allText(m);
    expect(text).not.toMatch(/<!channel>|<@U0123ABCD>|<https:/);
    expect(text).toContain("&lt;!channel&gt; &amp; &lt;@U0123ABCD&gt;");
  });

  it("stays within every limit with a 5,000-character name and description", () => {
    const long = "n".repeat(5_000);
    expect(
      limitViolations(buildReminderMessage(reminder({ clientName: long, description: long }))),
    ).toEqual([]);
    expect(
      limitViolations(
        buildNeverExpiresFinding({ ...finding, clientName: long, description: long }),
      ),
    ).toEqual([]);
  });

  it("falls back to the client id for a client without a name", () => {
    expect(buildReminderMessage(reminder({ clientName: "" })).text).toContain(
      "3f2504e0-4f89-11d3-9a0c-0305e82c3301 (3f2504e0",
    );
  });
});

describe("the never-expires finding", () => {
  it("says the secret never expires, that AVEVA advises against it, and how to rotate", () => {
    const m = buildNeverExpiresFinding(finding);
    const text = allText(m);
    expect(limitViolations(m)).toEqual([]);
    expect(text).toContain("never expires");
    expect(text).toContain("AVEVA advises against");
    expect(text).toContain("/hybrid-client secret 3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    expect(text).not.toMatch(/<!channel>|<@U0123ABCD>/);
  });
});

describe("/hybrid-client list", () => {
  const nowMs = NOW * 1000;
  const iso = (days: number) => new Date((NOW + days * DAY) * 1000).toISOString();
  const client = (i: number, days: (number | null)[], name = `Client ${i}`): CatalogEntry => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    name,
    secrets: days.map((d, j) => ({
      id: j + 1,
      description: `secret ${j + 1}`,
      expiration: d === null ? null : iso(d),
    })),
  });

  it("lists clients soonest-expiring first, flags ≤ 30 days and never-expiring secrets, escapes names", () => {
    const m = buildClientList(
      [
        client(1, [200]),
        client(2, [null]),
        client(3, [40, 12], EVIL),
        client(4, []),
        client(5, [-1]),
      ],
      nowMs,
    );
    expect(limitViolations(m)).toEqual([]);
    const sections = m.blocks.filter(
      (b) => b.type === "section" && b.block_id?.startsWith("client_"),
    );
    const texts = sections.map((b) => (b.type === "section" ? (b.text?.text ?? "") : ""));
    expect(texts.map((t) => t.match(/0000(\d)`/)?.[1])).toEqual(["5", "3", "1", "2", "4"]);
    expect(texts[1]).toMatch(/^\*&lt;!channel&gt;/);
    // Client 3: its 12-day secret first, flagged; the 40-day one not.
    expect(texts[1]).toMatch(
      /• ⚠️ secret 2 \(id 2\): expires <!date\^\d+\^.*\(12 days left\)\n• secret 1/,
    );
    expect(texts[0]).toContain("expired <!date^");
    expect(texts[3]).toContain("🔓 secret 1 (id 1): *never expires*");
    expect(texts[4]).toContain("_no secrets_");
    expect(allText(m)).not.toMatch(/<!channel>/);
    expect(m.text).toContain("5 clients");
  });

  it("summarises a tenant too large for one message instead of exceeding 50 blocks", () => {
    const many = Array.from({ length: 1_274 }, (_, i) => client(i, [10 + (i % 700), null]));
    const m = buildClientList(many, nowMs);
    expect(limitViolations(m)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(allText(m)).toContain(
      "… and 1,234 more clients; showing the 40 whose secrets expire soonest.",
    );
  });

  it("keeps a client with 10 long-described secrets within one section", () => {
    const heavy: CatalogEntry = {
      id: "00000000-0000-4000-8000-000000000001",
      name: "x".repeat(3_000),
      secrets: Array.from({ length: 10 }, (_, j) => ({
        id: j + 1,
        description: "&".repeat(2_000),
        expiration: iso(j),
      })),
    };
    expect(limitViolations(buildClientList([heavy], nowMs))).toEqual([]);
  });

  it("answers an empty tenant plainly", () => {
    expect(buildClientList([], nowMs).text).toContain("No hybrid clients");
  });
});

describe("posting through the fake Slack Web API", () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.addChannel("CTEAM0001");
  });
  afterAll(async () => {
    await slack.close();
  });

  it("Slack accepts the reminder and the finding; a refusal throws so the claim is released", async () => {
    const client = new WebClient(slack.botToken, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
    });
    const notifier = new SlackReminderNotifier(client);
    await notifier.postReminder("CTEAM0001", reminder({ clientName: EVIL }));
    await notifier.postNeverExpiresFinding("CTEAM0001", { ...finding, channel: "CTEAM0001" });
    const posted = slack.messages("CTEAM0001");
    expect(posted).toHaveLength(2);
    expect(json(posted)).not.toContain("<!channel>");
    await expect(notifier.postReminder("CNOSUCH01", reminder())).rejects.toThrow(
      /channel_not_found/,
    );
  });
});

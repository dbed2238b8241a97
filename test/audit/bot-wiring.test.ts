import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";

const SECRET = "bot-wiring-webhook-secret";
const bodies: { body: string; signature: string }[] = [];
let arrived: () => void = () => undefined;
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    bodies.push({ body, signature: String(req.headers["x-audit-signature"]) });
    res.writeHead(200).end();
    arrived();
  });
});
let h: Harness;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  h = await startHarness({
    env: {
      AUDIT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/audit`,
      AUDIT_WEBHOOK_SECRET: SECRET,
      NEVER_EXPIRES: "extra-approval",
    },
  });
});
afterAll(async () => {
  await h?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe("the bot with AUDIT_WEBHOOK_URL", () => {
  it("ships appended events, signed, and shows the backlog in /metrics", async () => {
    expect(h.config.neverExpires).toBe("extra-approval");
    const shipped = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    await h.bot.audit.append({
      id: "wiring-1",
      at: Date.now(),
      type: "reminder.sent",
      actor: "system",
      clientId: "client-1",
      details: { daysLeft: 7 },
    });
    await shipped;
    const [first] = bodies;
    expect(JSON.parse(first?.body ?? "{}")).toMatchObject({
      id: "wiring-1",
      type: "reminder.sent",
    });
    expect(first?.signature).toBe(
      `sha256=${createHmac("sha256", SECRET)
        .update(first?.body ?? "")
        .digest("hex")}`,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${h.bot.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/^hcb_audit_webhook_backlog_events \d+$/m);
    expect(metrics).toMatch(/^hcb_audit_webhook_oldest_unshipped_age_seconds [\d.]+$/m);
  });
});

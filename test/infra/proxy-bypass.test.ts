// NO_PROXY: hosts it names are reached directly even though HTTPS_PROXY/HTTP_PROXY are
// set — ADH, the Slack Web API, response_url and Socket Mode alike.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, USERS } from "../support/harness.js";
import { type ConnectProxy, startConnectProxy } from "./connect-proxy.js";

let proxy: ConnectProxy;
let h: Harness;
const saved = { ...process.env };

beforeAll(async () => {
  proxy = await startConnectProxy();
  process.env.HTTPS_PROXY = proxy.url;
  process.env.HTTP_PROXY = proxy.url;
  process.env.NO_PROXY = "localhost,127.0.0.1";
  h = await startHarness({ socketMode: true });
}, 30_000);
afterAll(async () => {
  await h?.close();
  await proxy?.close();
  process.env = saved;
});

describe("NO_PROXY", () => {
  it("sends traffic to the hosts it names around the proxy", async () => {
    const ready = await fetch(`http://127.0.0.1:${h.bot.opsPort}/readyz`);
    expect(ready.status).toBe(200);
    const status = await h.driver.command(USERS.requester, "status");
    await h.slack.waitForResponse((r) => r.url === status.responseUrl);
    expect(proxy.tunnels).toEqual([]);
  }, 30_000);
});

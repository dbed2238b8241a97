// Behind a corporate proxy: with HTTPS_PROXY/HTTP_PROXY set, the bot reaches ADH, the
// Slack Web API, response_url and Socket Mode's WebSocket only through CONNECT tunnels
// of the proxy. (NO_PROXY: proxy-bypass.test.ts, in a file of its own because the Web
// API transport reads the environment once per process.)
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
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  h = await startHarness({ socketMode: true });
}, 30_000);
afterAll(async () => {
  await h?.close();
  await proxy?.close();
  process.env = saved;
});

const port = (url: string) => new URL(url).port;

describe("HTTPS_PROXY / HTTP_PROXY", () => {
  it("carry ADH, the Slack Web API, response_url posts and Socket Mode's WebSocket", async () => {
    const ready = await fetch(`http://127.0.0.1:${h.bot.opsPort}/readyz`);
    expect(ready.status).toBe(200);
    const status = await h.driver.command(USERS.requester, "status");
    await h.slack.waitForResponse((r) => r.url === status.responseUrl);

    const through = (p: RegExp, targetPort: string) =>
      proxy.tunnels
        .filter((t) => t.target.endsWith(`:${targetPort}`))
        .flatMap((t) => t.requests.filter((line) => p.test(line)));
    // ADH: the token request and API calls.
    expect(through(/^POST \/identity\/connect\/token /, port(h.adh.url)).length).toBeGreaterThan(0);
    // Slack's Web API (auth.test at least) and the command's response_url.
    const slackPort = port(h.slack.url);
    expect(through(/^POST \/api\/auth\.test /, slackPort).length).toBeGreaterThan(0);
    const responsePath = new URL(status.responseUrl).pathname;
    expect(through(new RegExp(`^POST ${responsePath} `), port(status.responseUrl))).toHaveLength(1);
    // Socket Mode: the WebSocket itself went through a tunnel.
    expect(proxy.tunnels.some((t) => t.websocket)).toBe(true);
  }, 30_000);
});

// The baseline: a Bolt app of the bot's version with Bolt's own receiver (HTTPReceiver,
// processBeforeResponse: false) whose listeners only ack(). Whatever the bot adds to an
// ack's latency is what separates it from this. Run as its own process, like the bot.
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const port = Number(env("PORT"));
const receiver = new HTTPReceiver({
  signingSecret: env("SLACK_SIGNING_SECRET"),
  port,
  processBeforeResponse: false,
  // The benchmark polls /readyz to know the app is up (the bot serves it on OPS_PORT).
  customRoutes: [
    {
      path: "/readyz",
      method: "GET",
      handler: (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ready":true}');
      },
    },
  ],
});
const app = new App({
  token: env("SLACK_BOT_TOKEN"),
  receiver,
  logLevel: LogLevel.INFO, // the bot runs at LOG_LEVEL=info too
  // Bolt calls auth.test for the token: answered by the fake Slack.
  clientOptions: { slackApiUrl: env("SLACK_API_URL") },
});

app.command("/hybrid-client", async ({ ack }) => {
  await ack();
});
app.view("hcb_client_form", async ({ ack }) => {
  await ack();
});
app.action("hcb_approve", async ({ ack }) => {
  await ack();
});

await app.start(port);
process.on("SIGTERM", () => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

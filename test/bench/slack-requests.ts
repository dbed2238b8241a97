// The request bodies the benchmark sends, taken from the test SlackDriver (so they are
// exactly what Slack sends) by pointing it at a server that only records them. The
// parts that differ per request become `__VAR_name__` tokens of a template.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { APPROVE, CLIENT_FORM } from "../../src/slack/ids.js";
import type { FakeSlack } from "../fakes/slack.js";
import { APPROVAL_CHANNEL, clientFormValues, SIGNING_SECRET, USERS } from "../support/harness.js";
import { SlackDriver } from "../support/slack-driver.js";
import { encodeForm, type RequestTemplate } from "./load-protocol.js";

export interface PendingRef {
  requestId: string;
  /** ts of its approvals message on the fake Slack. */
  ts: string;
}

/** Answers every request with an empty 200 and keeps the last body. */
async function startRecorder() {
  let last = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      last = Buffer.concat(chunks).toString("utf8");
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    last: () => last,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function tokenize(body: string, replacements: Record<string, string>): string {
  let out = body;
  for (const [name, encoded] of Object.entries(replacements)) {
    if (!out.includes(encoded)) throw new Error(`the captured body has no ${name} to replace`);
    out = out.split(encoded).join(`__VAR_${name}__`);
  }
  return out;
}

export interface SlackRequestTemplates {
  /** `/hybrid-client add`; trigger_id and response_url minted as each is sent. */
  command: RequestTemplate;
  /** A valid pane-1 submission; `n` of them, each with its own draft key. */
  clientForm(n: number): RequestTemplate;
  /** Approve on the approvals message of each pending request. */
  approve(pending: readonly PendingRef[]): RequestTemplate;
}

/**
 * `openClientForm` opens a real "Add Client" modal through the bot (the view Slack would
 * send back on submit is the one the bot rendered); `sample` is one pending request.
 */
export async function captureTemplates(
  slack: FakeSlack,
  openClientForm: () => Promise<string>,
  sample: PendingRef,
): Promise<SlackRequestTemplates> {
  const recorder = await startRecorder();
  const driver = new SlackDriver({ botUrl: recorder.url, signingSecret: SIGNING_SECRET, slack });
  try {
    const command = await driver.command(USERS.requester, "add");
    const commandBody = tokenize(recorder.last(), {
      trigger: encodeForm(command.triggerId),
      responseUrl: encodeForm(command.responseUrl),
    });

    const viewId = await openClientForm();
    const opened = slack.view(viewId)?.view;
    const metadata = JSON.parse(String(opened?.private_metadata ?? "{}")) as Record<
      string,
      unknown
    >;
    await driver.submitView(
      USERS.requester,
      {
        id: viewId,
        callbackId: CLIENT_FORM,
        privateMetadata: JSON.stringify({ ...metadata, k: "__VAR_formKey__" }),
      },
      clientFormValues(),
    );
    const formBody = recorder.last();
    if (!formBody.includes("__VAR_formKey__")) throw new Error("form key token lost in encoding");

    const click = await driver.clickButton(
      USERS.approver1,
      { actionId: APPROVE },
      { channel: APPROVAL_CHANNEL, messageTs: sample.ts },
    );
    const approveBody = tokenize(recorder.last(), {
      requestId: encodeForm(sample.requestId),
      ts: encodeForm(sample.ts),
      responseUrl: encodeForm(click.responseUrl),
      trigger: encodeForm(click.triggerId),
    });

    return {
      command: { body: commandBody, minted: true },
      clientForm: (n) => ({
        body: formBody,
        vars: Array.from({ length: n }, () => ({
          formKey: randomBytes(12).toString("base64url"),
        })),
      }),
      approve: (pending) => ({
        body: approveBody,
        vars: pending.map((p) => ({
          requestId: encodeForm(p.requestId),
          ts: encodeForm(p.ts),
          responseUrl: encodeForm(slack.mintResponseUrl({ channel: APPROVAL_CHANNEL, ts: p.ts })),
          trigger: encodeForm(slack.mintTriggerId()),
        })),
      }),
    };
  } finally {
    await recorder.close();
  }
}

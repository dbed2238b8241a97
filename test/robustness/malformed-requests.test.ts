// What Slack (or anyone who can reach the port) might send that is not a well-formed
// request: the bot answers each with a 4xx or a harmless 200, never a 5xx, never hangs or
// crashes, and afterwards it is still ready and still answers `/hybrid-client help`.
// Unsigned, badly signed and stale requests must leave no trace at all.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APPROVE,
  CANCEL,
  CLIENT_FORM,
  DENY_FORM,
  RETRY,
  REVEAL,
  SECRET_FORM,
} from "../../src/slack/ids.js";
import {
  APPROVAL_CHANNEL,
  type Harness,
  messageTs,
  requestIdOf,
  SIGNING_SECRET,
  startHarness,
  submitRequest,
  USERS,
} from "../support/harness.js";
import { dumpKeys } from "../support/redis.js";
import { SlackDriver, signSlackRequest } from "../support/slack-driver.js";

let h: Harness;
beforeAll(async () => {
  // SLACK_APP_ID is the fake Slack's app id; the bot ignores it until it checks api_app_id.
  h = await startHarness({ env: { SLACK_APP_ID: "A0FAKEAPP1" } });
});
afterAll(async () => {
  await h?.close();
});

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const ONE_MB = 1024 * 1024;

interface Answer {
  status: number;
  body: string;
}

/** POSTs exactly `body`; signed for `timestamp` unless a signature is given (null: none). */
async function post(
  body: string,
  opts: { contentType?: string; timestamp?: number; signature?: string | null } = {},
): Promise<Answer> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": opts.contentType ?? FORM,
    "x-slack-request-timestamp": String(timestamp),
  };
  const signature =
    opts.signature === undefined
      ? signSlackRequest(SIGNING_SECRET, timestamp, body)
      : opts.signature;
  if (signature !== null) headers["x-slack-signature"] = signature;
  // A request the bot never answers is a failure too, not a hung test.
  const res = await fetch(`http://127.0.0.1:${h.config.port}/slack/events`, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(8_000),
  });
  return { status: res.status, body: await res.text() };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const payload = (p: unknown) => form({ payload: JSON.stringify(p) });
const randomId = () => `R${randomBytes(8).toString("hex").toUpperCase()}`;

function commandFields(text: string, overrides: Record<string, string> = {}) {
  return {
    token: "fakeVerificationToken0",
    team_id: h.slack.teamId,
    channel_id: "C0GENERAL1",
    user_id: USERS.requester,
    user_name: "requester",
    command: "/hybrid-client",
    text,
    api_app_id: h.slack.appId,
    response_url: h.slack.mintResponseUrl(),
    trigger_id: h.slack.mintTriggerId(),
    ...overrides,
  };
}

/** A button click as Slack sends it, with a response_url on the fake. */
function click(actionId: string, value: string, user: string = USERS.approver1) {
  const responseUrl = h.slack.mintResponseUrl();
  return {
    responseUrl,
    body: {
      type: "block_actions",
      api_app_id: h.slack.appId,
      team: { id: h.slack.teamId, domain: "fake-workspace" },
      user: { id: user, username: "u", name: "u", team_id: h.slack.teamId },
      trigger_id: h.slack.mintTriggerId(),
      response_url: responseUrl,
      container: { type: "message", message_ts: "1.000001", channel_id: APPROVAL_CHANNEL },
      channel: { id: APPROVAL_CHANNEL, name: "approvals" },
      actions: [
        {
          type: "button",
          action_id: actionId,
          block_id: "actions",
          value,
          action_ts: (Date.now() / 1000).toFixed(6),
        },
      ],
    },
  };
}

function submission(
  callbackId: string,
  privateMetadata: string,
  values: object = {},
  user: string = USERS.requester,
) {
  return {
    type: "view_submission",
    api_app_id: h.slack.appId,
    team: { id: h.slack.teamId, domain: "fake-workspace" },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase() },
    trigger_id: h.slack.mintTriggerId(),
    view: {
      id: `V${randomBytes(5).toString("hex").toUpperCase()}`,
      team_id: h.slack.teamId,
      app_id: h.slack.appId,
      type: "modal",
      callback_id: callbackId,
      private_metadata: privateMetadata,
      hash: "1.abc",
      blocks: [],
      state: { values },
    },
    response_urls: [],
  };
}

/** Valid pane-2 values, as full element states (no view on the fake to type them after). */
const SECRET_VALUES = {
  description: { description: { type: "plain_text_input", value: "sync" } },
  expiration_date: { expiration_date: { type: "datepicker", selected_date: "2099-01-01" } },
  never_expires: { never_expires: { type: "checkboxes", selected_options: [] } },
};
const CLIENT_VALUES = {
  name: { name: { type: "plain_text_input", value: "ghost-app" } },
  allow_refresh_token: { allow_refresh_token: { type: "checkboxes", selected_options: [] } },
  redirect_uris: {
    redirect_uris: { type: "plain_text_input", value: "https://ghost.example.com/cb" },
  },
  logout_redirect_uris: { logout_redirect_uris: { type: "plain_text_input", value: null } },
  token_lifetime: { token_lifetime: { type: "plain_text_input", value: "3600" } },
  reminder_channel: {
    reminder_channel: { type: "conversations_select", selected_conversation: "C0GENERAL1" },
  },
  reason: { reason: { type: "plain_text_input", value: "malformed suite" } },
};

async function readyz(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${h.bot.opsPort}/readyz`, {
    signal: AbortSignal.timeout(5_000),
  });
  await res.body?.cancel();
  return res.status;
}

async function stillServes(): Promise<void> {
  expect(await readyz()).toBe(200);
  const help = await h.driver.command(USERS.requester, "help");
  expect(help.status).toBe(200);
  expect(JSON.stringify(help.body)).toContain("Usage");
}

/** Sends every case at once; a rejected fetch (no answer in time) counts as status 0. */
async function answers(cases: [string, () => Promise<Answer>][]) {
  return Promise.all(
    cases.map(async ([name, send]) => {
      try {
        return { name, ...(await send()) };
      } catch (error) {
        return { name, status: 0, body: String(error) };
      }
    }),
  );
}

function expectNo5xx(results: { name: string; status: number }[]): void {
  const table = results.map((r) => `${r.name}: ${r.status || "no answer"}`).join("\n");
  const bad = results.filter((r) => r.status === 0 || r.status >= 500).map((r) => r.name);
  expect(bad, table).toEqual([]);
}

/** A pending request on the approvals channel, once the submission's own Slack calls landed. */
async function pendingRequest() {
  const name = `pending-${randomBytes(3).toString("hex")}`;
  const approval = await submitRequest(h, USERS.requester, { client: { name } });
  const id = requestIdOf(approval);
  await Promise.all([
    h.slack.waitForCall(
      "views.update",
      (c) =>
        JSON.stringify(c.args).includes(name) && /Sent for approval/.test(JSON.stringify(c.args)),
    ),
    h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === USERS.requester && JSON.stringify(c.args).includes(id),
    ),
  ]);
  const read = async () =>
    (await h.bot.workflow.openRequestsOf(USERS.requester)).find((r) => r.id === id);
  expect((await read())?.status).toBe("pending");
  return { approval, id, read };
}

/**
 * Proves the bot has finished what it does with requests sent before: a signed Approve
 * for a request that does not exist is answered on its response_url, after the same
 * ack-then-work path a forged click would have taken.
 */
async function markerRoundTrip(): Promise<void> {
  const marker = click(APPROVE, randomId());
  expect((await post(payload(marker.body))).status).toBe(200);
  await h.slack.waitForResponse((r) => r.url === marker.responseUrl);
}

describe("malformed requests", () => {
  it("get a 4xx or a harmless 200, never a 5xx, and the bot stays ready", async () => {
    const results = await answers([
      ["empty form body", () => post("")],
      ["empty JSON body", () => post("", { contentType: JSON_TYPE })],
      ["1 MB of junk", () => post("x".repeat(ONE_MB))],
      ["5 MB of junk, above Bolt's body limit", () => post("x".repeat(5 * ONE_MB))],
      ["1 MB payload that is not JSON", () => post(`payload=${"%7B".repeat(ONE_MB / 3)}`)],
      ["1 MB of command text", () => post(form(commandFields(`help ${"a".repeat(ONE_MB)}`)))],
      [
        "1 MB JSON body",
        () =>
          post(JSON.stringify({ type: "event_callback", pad: "a".repeat(ONE_MB) }), {
            contentType: JSON_TYPE,
          }),
      ],
      ["invalid JSON in payload", () => post(form({ payload: "{not json" }))],
      ["payload a number", () => post(form({ payload: "42" }))],
      ["payload an array", () => post(form({ payload: "[]" }))],
      ["payload a string", () => post(form({ payload: '"hello"' }))],
      [
        "slash command sent as application/json",
        () => post(form(commandFields("help")), { contentType: JSON_TYPE }),
      ],
      [
        "slash command sent as text/plain",
        () => post(form(commandFields("help")), { contentType: "text/plain" }),
      ],
      ["slash command without user or text", () => post(form({ command: "/hybrid-client" }))],
      [
        "slash command without text",
        () => {
          const { text: _text, ...rest } = commandFields("");
          return post(form(rest));
        },
      ],
      [
        "add without trigger_id",
        () => {
          const { trigger_id: _trigger, ...rest } = commandFields("add");
          return post(form(rest));
        },
      ],
      ["unknown slash command", () => post(form(commandFields("help", { command: "/other" })))],
      ["block_actions without actions or user", () => post(payload({ type: "block_actions" }))],
      [
        "block_actions with no actions",
        () => post(payload({ ...click(APPROVE, randomId()).body, actions: [] })),
      ],
      [
        "Approve without a value",
        () => {
          const c = click(APPROVE, "").body;
          return post(payload({ ...c, actions: [{ ...c.actions[0], value: undefined }] }));
        },
      ],
      [
        "Approve without response_url",
        () => {
          const { response_url: _url, ...rest } = click(APPROVE, randomId()).body;
          return post(payload(rest));
        },
      ],
      ["unknown action id", () => post(payload(click("hcb_no_such_action", randomId()).body))],
      [
        "view_submission without state",
        () => {
          const s = submission(CLIENT_FORM, "");
          const { state: _state, ...view } = s.view;
          return post(payload({ ...s, view }));
        },
      ],
      ["unknown callback id", () => post(payload(submission("hcb_no_such_form", "")))],
      [
        "view_closed for an unknown view",
        () => post(payload({ ...submission("hcb_no_such_form", ""), type: "view_closed" })),
      ],
      [
        "unknown payload type",
        () => post(payload({ type: "something_else", user: { id: USERS.requester } })),
      ],
      [
        "shortcut with an unknown callback id",
        () =>
          post(
            payload({
              type: "shortcut",
              callback_id: "nope",
              trigger_id: "1",
              user: { id: USERS.requester },
              team: { id: h.slack.teamId },
            }),
          ),
      ],
      [
        "event_callback without event",
        () => post(JSON.stringify({ type: "event_callback" }), { contentType: JSON_TYPE }),
      ],
      ["ssl_check", () => post(form({ ssl_check: "1", token: "x" }), { signature: null })],
      [
        "url_verification",
        () =>
          post(JSON.stringify({ type: "url_verification", challenge: "c" }), {
            contentType: JSON_TYPE,
          }),
      ],
    ]);
    expectNo5xx(results);
    await stillServes();
  }, 30_000);

  // Bolt reads body.user / body.view while building its context, before any listener can
  // ack; the receiver answers such signed-but-malformed bodies 400, not Bolt's 500.
  it("signed bodies Bolt cannot read (no user, no view) get a 4xx, not a 500", async () => {
    const results = await answers([
      [
        "Approve without a user",
        () => {
          const { user: _user, ...rest } = click(APPROVE, randomId()).body;
          return post(payload(rest));
        },
      ],
      [
        "view_submission without view",
        () => post(payload({ type: "view_submission", user: { id: USERS.requester } })),
      ],
    ]);
    await stillServes();
    expectNo5xx(results);
  });

  // Bolt would read `null.ssl_check` in a closure nobody awaits (no answer, an unhandled
  // rejection); the receiver refuses a body that does not parse to an object first.
  it("a signed body that parses to null is answered with a 4xx", async () => {
    const results = await answers([
      ["payload null", () => post(form({ payload: "null" }))],
      ["JSON body null", () => post("null", { contentType: JSON_TYPE })],
    ]);
    expectNo5xx(results);
    await stillServes();
  });
});

describe("requests and drafts that no longer exist", () => {
  it("clicks and submissions for them are answered harmlessly, with no client created", async () => {
    const creates = h.adh.callsTo("POST /HybridClients").length;
    const ghost = randomId();
    const clicks = [
      click(APPROVE, ghost),
      click(RETRY, ghost),
      click(CANCEL, ghost, USERS.requester),
      click(REVEAL, ghost, USERS.requester),
    ];
    const results = await answers([
      ...clicks.map(
        (c) =>
          [`${c.body.actions[0]!.action_id} on a missing request`, () => post(payload(c.body))] as [
            string,
            () => Promise<Answer>,
          ],
      ),
      [
        "pane 2 for a draft that is gone",
        () =>
          post(
            payload(
              submission(
                SECRET_FORM,
                JSON.stringify({ k: randomBytes(12).toString("base64url") }),
                SECRET_VALUES,
              ),
            ),
          ),
      ],
      [
        "pane 2 with private_metadata that is not ours",
        () =>
          post(payload(submission(SECRET_FORM, randomBytes(40).toString("hex"), SECRET_VALUES))),
      ],
      [
        "deny reason for a missing request",
        () =>
          post(
            payload(
              submission(
                DENY_FORM,
                ghost,
                { deny_reason: { deny_reason: { type: "plain_text_input", value: "x" } } },
                USERS.approver1,
              ),
            ),
          ),
      ],
    ]);
    expectNo5xx(results);
    // Each click hears, ephemerally, that the request is gone.
    for (const c of clicks) {
      const answer = await h.slack.waitForResponse((r) => r.url === c.responseUrl);
      expect(JSON.stringify(answer.body)).toMatch(/no longer exists/);
      expect((answer.body as { response_type?: string }).response_type).toBe("ephemeral");
    }
    // The denier hears it in a DM (a modal has no response_url).
    await h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === USERS.approver1 && /no longer exists/.test(String(c.args.text)),
    );
    expect(h.adh.callsTo("POST /HybridClients").length).toBe(creates);
    await stillServes();
  });

  // Metadata that is not ours must not file drafts under one shared empty key.
  it("pane 1 with private_metadata that is not ours keeps no draft under an empty key", async () => {
    const answer = await post(
      payload(submission(CLIENT_FORM, randomBytes(40).toString("hex"), CLIENT_VALUES)),
    );
    expect(answer.status).toBeLessThan(500);
    const keys = [...(await dumpKeys(h.prefix)).keys()];
    expect(keys).not.toContain(`${h.prefix}draft:`);
  });
});

describe("payloads for another Slack app", () => {
  // Only a holder of our signing secret gets here; a payload naming another app means a
  // shared or leaked secret, so with SLACK_APP_ID set it is acked and never acted on.
  it("a click for another api_app_id is ignored", async () => {
    const { approval, read } = await pendingRequest();
    const other = new SlackDriver({
      botUrl: `http://127.0.0.1:${h.config.port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      slack: h.slack,
      appId: "A0OTHERAPP1",
    });
    const answer = await other.clickButton(
      USERS.approver1,
      { actionId: APPROVE },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    expect(answer.status).toBeLessThan(500);
    await markerRoundTrip();
    expect((await read())?.status).toBe("pending");
  });
});

describe("unsigned, badly signed and stale requests", () => {
  it("are refused with a 4xx and leave no trace in Slack or Redis", async () => {
    const { approval, id, read } = await pendingRequest();
    const before = {
      calls: h.slack.calls.length,
      responses: h.slack.responses.length,
      keys: await dumpKeys(h.prefix),
      request: JSON.stringify(await read()),
    };
    const now = Math.floor(Date.now() / 1000);
    const approveBody = () =>
      payload({
        ...click(APPROVE, id).body,
        container: {
          type: "message",
          message_ts: messageTs(approval),
          channel_id: APPROVAL_CHANNEL,
        },
      });
    const addBody = () => form(commandFields("add"));
    const results = await answers([
      ["add, no signature", () => post(addBody(), { signature: null })],
      ["add, garbage signature", () => post(addBody(), { signature: `v0=${"0".repeat(64)}` })],
      [
        "add, signed with another secret",
        () => {
          const body = addBody();
          return post(body, { signature: signSlackRequest("not-our-secret", now, body) });
        },
      ],
      ["Approve, no signature", () => post(approveBody(), { signature: null })],
      [
        "Approve, signed with another secret",
        () => {
          const body = approveBody();
          return post(body, { signature: signSlackRequest("not-our-secret", now, body) });
        },
      ],
      ["Approve, stale timestamp (6 min)", () => post(approveBody(), { timestamp: now - 6 * 60 })],
      // Signed correctly for its timestamp: only the clock check can refuse it.
      [
        "Approve, timestamp a year ahead",
        () => post(approveBody(), { timestamp: now + 365 * 86_400 }),
      ],
      ["Approve, timestamp 6 min ahead", () => post(approveBody(), { timestamp: now + 6 * 60 })],
      [
        "Approve, signature of another body",
        () => {
          const signed = approveBody();
          return post(approveBody().replace(/^payload=/, "payload="), {
            signature: signSlackRequest(SIGNING_SECRET, now, `${signed}x`),
            timestamp: now,
          });
        },
      ],
      [
        "Approve, signature for another timestamp",
        () => {
          const body = approveBody();
          return post(body, { signature: signSlackRequest(SIGNING_SECRET, now - 1, body) });
        },
      ],
      [
        "Approve, timestamp not a number",
        () => {
          const body = approveBody();
          return fetch(`http://127.0.0.1:${h.config.port}/slack/events`, {
            method: "POST",
            headers: {
              "content-type": FORM,
              "x-slack-request-timestamp": "soon",
              "x-slack-signature": signSlackRequest(SIGNING_SECRET, now, body),
            },
            body,
            signal: AbortSignal.timeout(8_000),
          }).then(async (res) => ({ status: res.status, body: await res.text() }));
        },
      ],
    ]);
    const table = results.map((r) => `${r.name}: ${r.status || "no answer"}`).join("\n");
    for (const r of results) expect(r.status, table).toBeGreaterThanOrEqual(400);
    for (const r of results) expect(r.status, table).toBeLessThan(500);

    await markerRoundTrip();
    const calls = h.slack.calls.slice(before.calls).map((c) => c.method);
    expect(calls, "no Slack Web API call").toEqual([]);
    expect(h.slack.responses.length, "only the marker's answer").toBe(before.responses + 1);
    expect(JSON.stringify(await read()), "the request is untouched").toBe(before.request);
    expect(await dumpKeys(h.prefix), "no Redis key created or changed").toEqual(before.keys);
    await stillServes();
  });
});

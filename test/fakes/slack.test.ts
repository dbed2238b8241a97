// The fake Slack Web API and the driver behave like Slack: proven with Slack's own SDK
// (@slack/web-api, form-encoded bodies) and a real Bolt app in HTTP mode.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App } from "@slack/bolt";
import { type Logger, LogLevel } from "@slack/logger";
import type { KnownBlock, ModalView } from "@slack/types";
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_COMMAND_CHANNEL, SlackDriver, signSlackRequest } from "../support/slack-driver.js";
import { type FakeSlack, LIMITS, startFakeSlack } from "./slack.js";

const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

const webClient = (slack: FakeSlack, token = slack.botToken) =>
  // An empty token sends no Authorization header at all.
  new WebClient(token || undefined, {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silent,
  });

const text = (t: string) => ({ type: "plain_text" as const, text: t });
const section = (t: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: t } });
const modal = (over: Partial<ModalView> = {}): ModalView => ({
  type: "modal",
  callback_id: "add_client",
  title: text("Add Client"),
  submit: text("Next"),
  close: text("Cancel"),
  blocks: [
    {
      type: "input",
      block_id: "name",
      label: text("Name"),
      element: { type: "plain_text_input", action_id: "value" },
    },
  ],
  ...over,
});
const button = (over: Record<string, unknown> = {}) => ({
  type: "button" as const,
  action_id: "approve",
  text: text("Approve"),
  value: "req-1",
  ...over,
});

/** The Slack error of a refused call: `{ error, messages }` from WebAPIPlatformError.data. */
async function refusal(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await call;
  } catch (e) {
    const data = (e as { data?: { error?: string; response_metadata?: { messages?: string[] } } })
      .data;
    return { error: String(data?.error), messages: data?.response_metadata?.messages ?? [] };
  }
  throw new Error("the call was expected to be refused");
}

describe("signSlackRequest", () => {
  it("reproduces Slack's documented signature test vector", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(signSlackRequest("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});

describe("fake Slack Web API", () => {
  let clock: number;
  let slack: FakeSlack;
  let client: WebClient;

  beforeEach(async () => {
    clock = Date.now();
    slack = await startFakeSlack({ now: () => clock });
    client = webClient(slack);
  });
  afterEach(async () => {
    await slack.close();
  });

  describe("authentication", () => {
    it("answers auth.test with the bot's identity and, by default, the manifest's scopes", async () => {
      const res = await client.auth.test();
      expect(res).toMatchObject({ ok: true, user_id: slack.botUserId, team_id: slack.teamId });
      expect(res.bot_id).toBe(slack.botId);
      expect(res.response_metadata?.scopes).toEqual(
        expect.arrayContaining(["chat:write", "users:read.email", "usergroups:read"]),
      );
    });

    it("refuses a missing or wrong token, and unknown methods", async () => {
      expect((await refusal(webClient(slack, "").auth.test())).error).toBe("not_authed");
      expect((await refusal(webClient(slack, "xoxb-wrong").auth.test())).error).toBe(
        "invalid_auth",
      );
      expect((await refusal(client.apiCall("chat.teleport"))).error).toBe("unknown_method");
    });

    it("accepts JSON bodies with the token in the Authorization header", async () => {
      slack.addChannel("C0APPROVAL");
      const res = await fetch(`${slack.url}chat.postMessage`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${slack.botToken}`,
          "content-type": "application/json; charset=utf-8",
        },
        body: JSON.stringify({ channel: "C0APPROVAL", text: "hi", blocks: [section("hi")] }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, channel: "C0APPROVAL" });
      expect(slack.messages("C0APPROVAL")[0]?.blocks).toHaveLength(1);
    });

    it("answers missing_scope when the token lacks the method's scope", async () => {
      const narrow = await startFakeSlack({ scopes: ["chat:write"] });
      try {
        narrow.addUser({ id: "U0ALICE001", email: "alice@example.com" });
        const c = webClient(narrow);
        expect((await refusal(c.users.info({ user: "U0ALICE001" }))).error).toBe("missing_scope");
        expect(narrow.calls[0]?.response).toMatchObject({ needed: "users:read" });
      } finally {
        await narrow.close();
      }
    });
  });

  describe("views", () => {
    it("a trigger_id opens one modal, within 3 s", async () => {
      const trigger = slack.mintTriggerId();
      const opened = await client.views.open({ trigger_id: trigger, view: modal() });
      expect(opened.view?.id).toMatch(/^V[A-Z0-9]+$/);
      expect(opened.view?.hash).toEqual(expect.any(String));
      expect(slack.view(opened.view!.id!)?.open).toBe(true);

      expect((await refusal(client.views.open({ trigger_id: trigger, view: modal() }))).error).toBe(
        "exchanged_trigger_id",
      );
      const late = slack.mintTriggerId();
      clock += LIMITS.triggerTtlMs + 1;
      expect((await refusal(client.views.open({ trigger_id: late, view: modal() }))).error).toBe(
        "expired_trigger_id",
      );
      expect((await refusal(client.views.open({ trigger_id: "1.2.3", view: modal() }))).error).toBe(
        "invalid_trigger_id",
      );
    });

    it("a refused view does not use up the trigger_id", async () => {
      const trigger = slack.mintTriggerId();
      await refusal(
        client.views.open({ trigger_id: trigger, view: modal({ title: text("x".repeat(25)) }) }),
      );
      expect((await client.views.open({ trigger_id: trigger, view: modal() })).ok).toBe(true);
    });

    const tooBig: [string, Partial<ModalView>, string][] = [
      ["a 25-char title", { title: text("x".repeat(25)) }, "/view/title/text"],
      ["a 25-char submit label", { submit: text("x".repeat(25)) }, "/view/submit/text"],
      ["a 25-char close label", { close: text("x".repeat(25)) }, "/view/close/text"],
      ["101 blocks", { blocks: Array.from({ length: 101 }, () => section("x")) }, "/view/blocks"],
      [
        "3001 chars of private_metadata",
        { private_metadata: "x".repeat(3001) },
        "/view/private_metadata",
      ],
      ["a 256-char callback_id", { callback_id: "x".repeat(256) }, "/view/callback_id"],
      ["an input block and no submit", { submit: undefined }, "/view/submit"],
      [
        "a 256-char block_id",
        { blocks: [{ ...section("x"), block_id: "b".repeat(256) }] },
        "/view/blocks/0/block_id",
      ],
      [
        "a number_input without is_decimal_allowed",
        {
          blocks: [
            {
              type: "input",
              block_id: "lifetime",
              label: text("Token Lifetime"),
              element: { type: "number_input", action_id: "v", initial_value: "3600" } as never,
            },
          ],
        },
        "/view/blocks/0/element/is_decimal_allowed",
      ],
      [
        "initial checkbox options that are not among the options",
        {
          blocks: [
            {
              type: "input",
              block_id: "refresh",
              label: text("Allow Refresh Token"),
              optional: true,
              element: {
                type: "checkboxes",
                action_id: "v",
                options: [{ text: text("Yes"), value: "yes" }],
                initial_options: [{ text: text("Yes!"), value: "yes" }],
              },
            },
          ],
        },
        "/view/blocks/0/element/initial_options/0",
      ],
    ];
    it.each(tooBig)("views.open refuses %s", async (_name, over, pointer) => {
      const res = await refusal(
        client.views.open({ trigger_id: slack.mintTriggerId(), view: modal(over) }),
      );
      expect(res.error).toBe("invalid_arguments");
      expect(res.messages.join("\n")).toContain(`[json-pointer:${pointer}]`);
    });

    it("accepts a modal exactly at the limits", async () => {
      const view = modal({
        title: text("x".repeat(LIMITS.viewTitle)),
        submit: text("x".repeat(LIMITS.viewSubmit)),
        private_metadata: "x".repeat(LIMITS.privateMetadata),
        callback_id: "c".repeat(LIMITS.id),
        blocks: [
          ...(modal().blocks as KnownBlock[]),
          ...Array.from({ length: LIMITS.modalBlocks - 1 }, () => section("x")),
        ],
      });
      expect((await client.views.open({ trigger_id: slack.mintTriggerId(), view })).ok).toBe(true);
    });

    it("views.update needs the current hash and an open view", async () => {
      const { view } = await client.views.open({
        trigger_id: slack.mintTriggerId(),
        view: modal(),
      });
      const updated = await client.views.update({
        view_id: view!.id!,
        hash: view!.hash!,
        view: modal({ title: text("Create Secret") }),
      });
      expect(updated.view?.hash).not.toBe(view!.hash);
      expect(slack.view(view!.id!)?.view.title).toEqual(text("Create Secret"));

      const stale = client.views.update({ view_id: view!.id!, hash: view!.hash!, view: modal() });
      expect((await refusal(stale)).error).toBe("hash_conflict");
      expect(
        (await refusal(client.views.update({ view_id: "V0NOPE0000", view: modal() }))).error,
      ).toBe("not_found");
    });

    it("views.update finds a view by external_id", async () => {
      await client.views.open({
        trigger_id: slack.mintTriggerId(),
        view: modal({ external_id: "req-1" }),
      });
      const res = await client.views.update({
        external_id: "req-1",
        view: modal({ external_id: "req-1" }),
      });
      expect(res.ok).toBe(true);
    });

    it("views.push stacks at most 3 views on the view the interaction came from", async () => {
      const { view } = await client.views.open({
        trigger_id: slack.mintTriggerId(),
        view: modal(),
      });
      const second = await client.views.push({
        trigger_id: slack.mintTriggerId(view!.id!),
        view: modal(),
      });
      expect(second.view?.previous_view_id).toBe(view!.id);
      expect(second.view?.root_view_id).toBe(view!.id);
      await client.views.push({ trigger_id: slack.mintTriggerId(second.view!.id!), view: modal() });
      const fourth = client.views.push({
        trigger_id: slack.mintTriggerId(view!.id!),
        view: modal(),
      });
      expect((await refusal(fourth)).error).toBe("push_limit_reached");
    });

    it("applies view_submission acks: errors must name input blocks, update is validated", () => {
      // Opened through the API so the fake knows the view.
      return (async () => {
        const { view } = await client.views.open({
          trigger_id: slack.mintTriggerId(),
          view: modal(),
        });
        const id = view!.id!;
        expect(
          slack.applyViewSubmissionAck(id, {
            response_action: "errors",
            errors: { name: "Required" },
          }),
        ).toEqual({
          ok: true,
        });
        const wrongKey = slack.applyViewSubmissionAck(id, {
          response_action: "errors",
          errors: { value: "Required" },
        });
        expect(wrongKey).toMatchObject({ ok: false, error: "invalid_arguments" });
        const badUpdate = slack.applyViewSubmissionAck(id, {
          response_action: "update",
          view: modal({ title: text("x".repeat(25)) }),
        });
        expect(badUpdate).toMatchObject({ ok: false, error: "invalid_arguments" });
        expect(slack.applyViewSubmissionAck(id, undefined)).toEqual({ ok: true });
        expect(slack.view(id)?.open).toBe(false);
        // Closed views cannot be updated any more.
        expect((await refusal(client.views.update({ view_id: id, view: modal() }))).error).toBe(
          "not_found",
        );
      })();
    });
  });

  describe("messages", () => {
    it("chat.postMessage to a user id lands in the bot's D… channel, and chat.update needs that id", async () => {
      slack.addUser({ id: "U0ALICE001", name: "alice" });
      const posted = await client.chat.postMessage({
        channel: "U0ALICE001",
        text: "Client created",
      });
      expect(posted.channel).toMatch(/^D[A-Z0-9]+$/);
      expect(slack.dmOf("U0ALICE001")).toBe(posted.channel);

      const byUser = client.chat.update({ channel: "U0ALICE001", ts: posted.ts!, text: "x" });
      expect((await refusal(byUser)).error).toBe("channel_not_found");
      await client.chat.update({
        channel: posted.channel!,
        ts: posted.ts!,
        text: "Secret revealed",
      });
      expect(slack.messages("U0ALICE001")).toEqual([{ ts: posted.ts, text: "Secret revealed" }]);

      const opened = await client.conversations.open({ users: "U0ALICE001" });
      expect(opened.channel?.id).toBe(posted.channel);
      expect(
        (await refusal(client.chat.postMessage({ channel: "U0NOBODY01", text: "x" }))).error,
      ).toBe("channel_not_found");
    });

    it("gives every message a unique, increasing ts and keeps blocks across text-only updates", async () => {
      slack.addChannel("C0APPROVAL");
      const a = await client.chat.postMessage({
        channel: "C0APPROVAL",
        text: "a",
        blocks: [section("a")],
      });
      const b = await client.chat.postMessage({ channel: "C0APPROVAL", text: "b" });
      expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
      expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
      await client.chat.update({ channel: "C0APPROVAL", ts: a.ts!, text: "a2" });
      const [first] = slack.messages("C0APPROVAL");
      expect(first).toMatchObject({ ts: a.ts, text: "a2" });
      // Slack fills in the block_id an app leaves out.
      expect(first?.blocks).toEqual([expect.objectContaining({ block_id: expect.any(String) })]);
      expect(
        (await refusal(client.chat.update({ channel: "C0APPROVAL", ts: "1.2", text: "x" }))).error,
      ).toBe("message_not_found");
      await client.chat.delete({ channel: "C0APPROVAL", ts: b.ts! });
      expect(slack.messages("C0APPROVAL").map((m) => m.ts)).toEqual([a.ts]);
    });

    it("records decoded arguments: blocks arrive as objects, not JSON strings", async () => {
      slack.addChannel("C0APPROVAL");
      await client.chat.postMessage({
        channel: "C0APPROVAL",
        text: "t",
        blocks: [section("hello")],
      });
      const call = await slack.waitForCall("chat.postMessage");
      expect(call.args).toMatchObject({ channel: "C0APPROVAL", blocks: [section("hello")] });
      expect(call.args.token).toBeUndefined();
    });

    const refused: [string, Record<string, unknown>, string][] = [
      ["51 blocks", { blocks: Array.from({ length: 51 }, () => section("x")) }, "invalid_blocks"],
      [
        "a 2001-char button value",
        { blocks: [{ type: "actions", elements: [button({ value: "v".repeat(2001) })] }] },
        "invalid_blocks",
      ],
      [
        "a 76-char button text",
        { blocks: [{ type: "actions", elements: [button({ text: text("b".repeat(76)) })] }] },
        "invalid_blocks",
      ],
      [
        "26 elements in an actions block",
        {
          blocks: [
            {
              type: "actions",
              elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` })),
            },
          ],
        },
        "invalid_blocks",
      ],
      [
        "two buttons with one action_id in a block",
        { blocks: [{ type: "actions", elements: [button(), button()] }] },
        "invalid_blocks",
      ],
      ["a 3001-char section", { blocks: [section("s".repeat(3001))] }, "invalid_blocks"],
      ["an empty section text", { blocks: [section("")] }, "invalid_blocks"],
      [
        "a 151-char header",
        { blocks: [{ type: "header", text: text("h".repeat(151)) }] },
        "invalid_blocks",
      ],
      [
        "a confirm title of 101 chars",
        {
          blocks: [
            {
              type: "actions",
              elements: [
                button({
                  confirm: {
                    title: text("t".repeat(101)),
                    text: text("Sure?"),
                    confirm: text("Yes"),
                    deny: text("No"),
                  },
                }),
              ],
            },
          ],
        },
        "invalid_blocks",
      ],
      [
        "a confirm text of 301 chars",
        {
          blocks: [
            {
              type: "actions",
              elements: [
                button({
                  confirm: {
                    title: text("Approve?"),
                    text: text("t".repeat(301)),
                    confirm: text("Yes"),
                    deny: text("No"),
                  },
                }),
              ],
            },
          ],
        },
        "invalid_blocks",
      ],
      ["an input block in a message", { blocks: modal().blocks }, "invalid_blocks"],
      [
        "two blocks with one block_id",
        {
          blocks: [
            { ...section("a"), block_id: "x" },
            { ...section("b"), block_id: "x" },
          ],
        },
        "invalid_blocks",
      ],
      ["4001 chars of text", { text: "t".repeat(4001) }, "msg_too_long"],
      ["no text and no blocks", { text: "" }, "no_text"],
    ];
    it.each(refused)("chat.postMessage refuses %s", async (_name, args, error) => {
      slack.addChannel("C0APPROVAL");
      const res = await refusal(
        client.chat.postMessage({ channel: "C0APPROVAL", text: "fallback", ...args } as never),
      );
      expect(res.error).toBe(error);
      expect(slack.messages("C0APPROVAL")).toEqual([]);
    });

    it("accepts a message exactly at the limits", async () => {
      slack.addChannel("C0APPROVAL");
      const blocks = [
        { type: "header", text: text("h".repeat(LIMITS.headerText)) },
        section("s".repeat(LIMITS.sectionText)),
        {
          type: "actions",
          elements: Array.from({ length: LIMITS.actionsElements }, (_, i) =>
            button({
              action_id: `a${i}`,
              text: text("b".repeat(LIMITS.buttonText)),
              value: "v".repeat(LIMITS.buttonValue),
            }),
          ),
        },
        ...Array.from({ length: LIMITS.messageBlocks - 3 }, () => ({ type: "divider" })),
      ];
      const res = await client.chat.postMessage({
        channel: "C0APPROVAL",
        text: "t".repeat(LIMITS.messageText),
        blocks,
      } as never);
      expect(res.ok).toBe(true);
    });

    it("posts into a public channel the bot has not joined only with chat:write.public", async () => {
      const narrow = await startFakeSlack({ scopes: ["chat:write"] });
      try {
        for (const fake of [slack, narrow]) {
          fake.addChannel("C0REMINDER", { member: false });
          fake.addChannel("G0PRIVATE1", { member: false });
          fake.addChannel("C0ARCHIVED", { archived: true });
        }
        const wide = client;
        const c = webClient(narrow);
        expect(
          (await refusal(c.chat.postMessage({ channel: "C0REMINDER", text: "x" }))).error,
        ).toBe("not_in_channel");
        expect((await wide.chat.postMessage({ channel: "C0REMINDER", text: "x" })).ok).toBe(true);
        expect(
          (await refusal(wide.chat.postMessage({ channel: "G0PRIVATE1", text: "x" }))).error,
        ).toBe("channel_not_found");
        expect(
          (await refusal(wide.chat.postMessage({ channel: "C0ARCHIVED", text: "x" }))).error,
        ).toBe("is_archived");
        expect(
          (await refusal(wide.chat.postMessage({ channel: "C0UNKNOWN1", text: "x" }))).error,
        ).toBe("channel_not_found");
      } finally {
        await narrow.close();
      }
    });

    it("chat.postEphemeral answers message_ts and stores nothing", async () => {
      slack.addChannel("C0APPROVAL");
      slack.addUser({ id: "U0BOB00001" });
      const res = await client.chat.postEphemeral({
        channel: "C0APPROVAL",
        user: "U0BOB00001",
        text: "Already approved",
      });
      expect(res.message_ts).toMatch(/^\d+\.\d+$/);
      expect(slack.messages("C0APPROVAL")).toEqual([]);
      expect(
        (
          await refusal(
            client.chat.postEphemeral({ channel: "C0APPROVAL", user: "U0NOBODY01", text: "x" }),
          )
        ).error,
      ).toBe("user_not_found");
    });
  });

  describe("conversations, users and groups", () => {
    it("conversations.info tells whether the bot is a member; private channels it is not in stay hidden", async () => {
      slack.addChannel("C0APPROVAL");
      slack.addChannel("C0OTHER001", { member: false });
      slack.addChannel("G0PRIVATE1", { member: false });
      const info = await client.conversations.info({ channel: "C0APPROVAL" });
      expect(info.channel).toMatchObject({
        id: "C0APPROVAL",
        is_member: true,
        is_archived: false,
        is_private: false,
      });
      expect((await client.conversations.info({ channel: "C0OTHER001" })).channel?.is_member).toBe(
        false,
      );
      expect((await refusal(client.conversations.info({ channel: "G0PRIVATE1" }))).error).toBe(
        "channel_not_found",
      );
      expect((await refusal(client.conversations.info({ channel: "C0NOPE0001" }))).error).toBe(
        "channel_not_found",
      );
    });

    it("users.info gives the email only with users:read.email", async () => {
      const user = { id: "U0ALICE001", name: "alice", email: "alice@example.com" };
      slack.addUser(user);
      const res = await client.users.info({ user: user.id });
      expect(res.user).toMatchObject({
        id: user.id,
        name: "alice",
        deleted: false,
        is_bot: false,
        profile: { email: user.email },
      });
      expect((await refusal(client.users.info({ user: "U0NOBODY01" }))).error).toBe(
        "user_not_found",
      );

      const noEmail = await startFakeSlack({ scopes: ["users:read"] });
      try {
        noEmail.addUser(user);
        const plain = await webClient(noEmail).users.info({ user: user.id });
        expect(plain.user?.profile?.email).toBeUndefined();
      } finally {
        await noEmail.close();
      }
    });

    it("usergroups.users.list lists a group's members", async () => {
      slack.addUserGroup("S0APPROVER", ["U0ALICE001", "U0BOB00001"]);
      const res = await client.usergroups.users.list({ usergroup: "S0APPROVER" });
      expect(res.users).toEqual(["U0ALICE001", "U0BOB00001"]);
      expect((await refusal(client.usergroups.users.list({ usergroup: "S0NOPE0001" }))).error).toBe(
        "no_such_subteam",
      );
    });
  });

  describe("response_url", () => {
    const post = (url: string, body: unknown) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    it("works 5 times, then answers 404 used_url", async () => {
      const url = slack.mintResponseUrl();
      expect(url.startsWith(slack.url.replace(/api\/$/, "response/"))).toBe(true);
      for (let i = 1; i <= LIMITS.responseUrlUses; i++) {
        const res = await post(url, { response_type: "ephemeral", text: `#${i}` });
        expect(res.status).toBe(200);
      }
      const sixth = await post(url, { text: "#6" });
      expect(sixth.status).toBe(404);
      expect(await sixth.text()).toBe("used_url");
      expect(slack.responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404]);
      expect(slack.responses[0]).toMatchObject({
        url,
        body: { response_type: "ephemeral", text: "#1" },
      });
    });

    it("expires after 30 minutes and refuses blocks Slack would refuse", async () => {
      const url = slack.mintResponseUrl();
      const tooLong = await post(url, { blocks: [section("s".repeat(3001))] });
      expect([tooLong.status, await tooLong.text()]).toEqual([400, "invalid_blocks"]);
      clock += LIMITS.responseUrlTtlMs + 1;
      const late = await post(url, { text: "late" });
      expect([late.status, await late.text()]).toEqual([404, "expired_url"]);
    });

    it("replace_original and delete_original act on the clicked message", async () => {
      slack.addChannel("C0APPROVAL");
      const a = await client.chat.postMessage({ channel: "C0APPROVAL", text: "pending" });
      const b = await client.chat.postMessage({ channel: "C0APPROVAL", text: "other" });
      await post(slack.mintResponseUrl({ channel: "C0APPROVAL", ts: a.ts! }), {
        replace_original: true,
        text: "approved",
      });
      await post(slack.mintResponseUrl({ channel: "C0APPROVAL", ts: b.ts! }), {
        delete_original: true,
      });
      expect(slack.messages("C0APPROVAL")).toEqual([{ ts: a.ts, text: "approved", blocks: [] }]);
    });
  });

  describe("waiting and faults", () => {
    it("waitForCall resolves for a call made after it started waiting, and times out otherwise", async () => {
      slack.addChannel("C0APPROVAL");
      const waiting = slack.waitForCall("chat.postMessage", (c) => c.args.text === "second");
      await client.chat.postMessage({ channel: "C0APPROVAL", text: "first" });
      await client.chat.postMessage({ channel: "C0APPROVAL", text: "second" });
      expect((await waiting).args.text).toBe("second");
      await expect(slack.waitForCall("views.open", undefined, 50)).rejects.toThrow(
        /views\.open.*50 ms/,
      );
      await expect(slack.waitForResponse(undefined, 50)).rejects.toThrow(/response_url/);
    });

    it("failNext answers 429 with Retry-After, then Slack as usual", async () => {
      slack.failNext("auth.test", { ratelimited: { retryAfter: 7 } });
      const raw = await fetch(`${slack.url}auth.test`, {
        method: "POST",
        headers: { authorization: `Bearer ${slack.botToken}` },
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get("retry-after")).toBe("7");
      expect(await raw.json()).toEqual({ ok: false, error: "ratelimited" });
      expect((await client.auth.test()).ok).toBe(true);

      slack.failNext("auth.test", { ratelimited: { retryAfter: 3 } });
      await expect(client.auth.test()).rejects.toMatchObject({
        code: "slack_webapi_rate_limited_error",
        retryAfter: 3,
      });
      expect(slack.callsTo("auth.test").map((c) => c.status)).toEqual([429, 200, 429]);
    });

    it("failNext answers a chosen error the given number of times", async () => {
      slack.addChannel("C0APPROVAL");
      slack.failNext("chat.postMessage", { error: "fatal_error" }, 2);
      for (let i = 0; i < 2; i++) {
        expect(
          (await refusal(client.chat.postMessage({ channel: "C0APPROVAL", text: "x" }))).error,
        ).toBe("fatal_error");
      }
      expect((await client.chat.postMessage({ channel: "C0APPROVAL", text: "x" })).ok).toBe(true);
      expect(slack.messages("C0APPROVAL")).toHaveLength(1);
    });

    it("rate-limits from the start when told, and at random when asked", async () => {
      const limited = await startFakeSlack({
        rateLimit: [{ method: "auth.test", retryAfter: 2, times: 2 }],
      });
      try {
        const c = webClient(limited);
        await expect(c.auth.test()).rejects.toMatchObject({ retryAfter: 2 });
        await expect(c.auth.test()).rejects.toMatchObject({ retryAfter: 2 });
        expect((await c.auth.test()).ok).toBe(true);
      } finally {
        await limited.close();
      }
      slack.setRandom429(1);
      await expect(client.auth.test()).rejects.toMatchObject({ retryAfter: 1 });
      slack.setRandom429(0);
      expect((await client.auth.test()).ok).toBe(true);
    });
  });
});

describe("SlackDriver against a Bolt app in HTTP mode", () => {
  const signingSecret = "test-signing-secret";
  let slack: FakeSlack;
  let app: App;
  let driver: SlackDriver;

  beforeEach(async () => {
    slack = await startFakeSlack();
    app = new App({
      token: slack.botToken,
      signingSecret,
      logger: silent,
      clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } },
    });
    app.command("/hybrid-client", async ({ ack, body, client }) => {
      await ack();
      await client.views.open({
        trigger_id: body.trigger_id,
        view: modal({ private_metadata: body.channel_id }),
      });
    });
    app.view("add_client", async ({ ack, view }) => {
      const name = view.state.values.name?.value?.value;
      if (name) await ack();
      else await ack({ response_action: "errors", errors: { name: "Enter a name" } });
    });
    app.view("wrong_errors", async ({ ack }) => {
      await ack({ response_action: "errors", errors: { value: "keyed by action_id by mistake" } });
    });
    app.action("approve", async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: "Approved" });
    });
    const server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
    const { port } = server.address() as AddressInfo;
    driver = new SlackDriver({
      botUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret,
      slack,
    });
  });
  afterEach(async () => {
    await app.stop();
    await slack.close();
  });

  it("a slash command is acked at once and its trigger_id opens the modal", async () => {
    const res = await driver.command("U0ALICE001", "add my-client");
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const open = await slack.waitForCall("views.open", (c) => c.args.trigger_id === res.triggerId);
    expect(open.response.ok).toBe(true);
    expect((open.args.view as ModalView).private_metadata).toBe(DEFAULT_COMMAND_CHANNEL);
  });

  it("submits a view with values from the stored view, and applies the ack", async () => {
    await driver.command("U0ALICE001", "add");
    const open = await slack.waitForCall("views.open");
    const viewId = String((open.response.view as { id: string }).id);

    const empty = await driver.submitView(
      "U0ALICE001",
      { id: viewId, callbackId: "add_client" },
      {},
    );
    expect(empty.body).toEqual({ response_action: "errors", errors: { name: "Enter a name" } });
    expect(empty.viewError).toBeUndefined();
    expect(slack.view(viewId)?.open).toBe(true);

    const filled = await driver.submitView(
      "U0ALICE001",
      { id: viewId, callbackId: "add_client" },
      { name: { value: "my-client" } },
    );
    expect([filled.status, filled.body, filled.viewError]).toEqual([200, "", undefined]);
    expect(slack.view(viewId)?.open).toBe(false);

    await expect(
      driver.submitView(
        "U0ALICE001",
        { id: viewId, callbackId: "add_client" },
        { nope: { value: "x" } },
      ),
    ).rejects.toThrow(/no input nope/);
  });

  it("reports an ack Slack would refuse: errors keyed by something other than a block_id", async () => {
    const { view } = await webClient(slack).views.open({
      trigger_id: slack.mintTriggerId(),
      view: modal({ callback_id: "wrong_errors" }),
    });
    const res = await driver.submitView(
      "U0ALICE001",
      { id: view!.id!, callbackId: "wrong_errors" },
      { name: { value: "x" } },
    );
    expect(res.viewError).toMatch(/invalid_arguments.*block_id of an input block/);
  });

  it("clicks a button on a stored message; respond() replaces that message", async () => {
    slack.addChannel("C0APPROVAL");
    const posted = await webClient(slack).chat.postMessage({
      channel: "C0APPROVAL",
      text: "Request",
      blocks: [{ type: "actions", block_id: "decide", elements: [button()] }],
    });
    const res = await driver.clickButton(
      "U0BOB00001",
      { actionId: "approve" },
      { channel: "C0APPROVAL", messageTs: posted.ts! },
    );
    expect(res.status).toBe(200);
    const reply = await slack.waitForResponse((r) => r.url === res.responseUrl);
    expect(reply.body).toEqual({ replace_original: true, text: "Approved" });
    expect(slack.messages("C0APPROVAL")).toEqual([{ ts: posted.ts, text: "Approved", blocks: [] }]);

    await expect(
      driver.clickButton(
        "U0BOB00001",
        { actionId: "approve" },
        { channel: "C0APPROVAL", messageTs: posted.ts! },
      ),
    ).rejects.toThrow(/No element with action_id "approve"/);
  });

  it("requests with a bad or old signature are refused", async () => {
    const body = "command=%2Fhybrid-client&text=help";
    expect((await driver.raw(body, { signature: "v0=deadbeef" })).status).toBe(401);
    expect((await driver.raw(body, { signature: null })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await driver.raw(body, { timestamp: sixMinutesAgo })).status).toBe(401);
  });
});

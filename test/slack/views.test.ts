import type { InputBlock, ModalView } from "@slack/types";
import { describe, expect, it } from "vitest";
import { validateClientForm, validateSecretForm } from "../../src/requests/validation.js";
import { buildDenyReasonView, readDenyReason } from "../../src/slack/approval/deny-view.js";
import { BLOCK, CLIENT_FORM, DENY_FORM, SECRET_FORM } from "../../src/slack/ids.js";
import { buildNoticeView } from "../../src/slack/kit/notice.js";
import {
  buildClientFormView,
  clientFormErrors,
  readClientForm,
} from "../../src/slack/request-form/client-pane.js";
import { readFormMetadata } from "../../src/slack/request-form/metadata.js";
import {
  buildSecretFormView,
  readSecretForm,
  secretFormErrors,
} from "../../src/slack/request-form/secret-pane.js";
import { limitViolations } from "../support/block-limits.js";

const inputs = (view: ModalView) => view.blocks.filter((b): b is InputBlock => b.type === "input");
const labels = (view: ModalView) => inputs(view).map((b) => b.label.text);
const byBlock = (view: ModalView, id: string) => inputs(view).find((b) => b.block_id === id);

describe("pane 1, Add Client", () => {
  const view = buildClientFormView({ requestKey: "k1", channelId: "C0123ABCD" });

  it("uses the portal's title, buttons and field labels", () => {
    expect(view.title.text).toBe("Add Client");
    expect(view.submit?.text).toBe("Next");
    expect(view.close?.text).toBe("Cancel");
    expect(view.callback_id).toBe(CLIENT_FORM);
    expect(labels(view)).toEqual([
      "Name",
      "Allow Refresh Token",
      "Allowed Redirect URL(s)",
      "Allowed Logout Redirect URL(s)",
      "Token Lifetime",
      "Reminder channel",
      "Reason",
    ]);
  });

  it("marks only Allow Refresh Token, logout URLs and Reason optional", () => {
    expect(
      inputs(view)
        .filter((b) => b.optional)
        .map((b) => b.block_id),
    ).toEqual([BLOCK.allowRefreshToken, BLOCK.logoutRedirectUris, BLOCK.reason]);
  });

  it("configures each element as the portal's field", () => {
    expect(byBlock(view, BLOCK.redirectUris)).toMatchObject({
      element: { type: "plain_text_input", multiline: true },
      hint: { text: "One URL per line, at most 10" },
    });
    expect(byBlock(view, BLOCK.logoutRedirectUris)?.element).toMatchObject({ multiline: true });
    expect(byBlock(view, BLOCK.tokenLifetime)).toMatchObject({
      element: {
        type: "number_input",
        is_decimal_allowed: false,
        min_value: "60",
        max_value: "3600",
        initial_value: "3600",
      },
      hint: { text: "Seconds, 60 to 3600" },
    });
    expect(byBlock(view, BLOCK.reminderChannel)?.element).toMatchObject({
      type: "conversations_select",
      default_to_current_conversation: true,
      initial_conversation: "C0123ABCD",
      filter: { include: ["public", "private"] },
    });
    expect(byBlock(view, BLOCK.allowRefreshToken)?.element).toMatchObject({
      type: "checkboxes",
      options: [{ text: { text: "Allow Refresh Token" } }],
    });
    expect(byBlock(view, BLOCK.reason)).toMatchObject({ hint: { text: "Shown to approvers" } });
  });

  it("carries only ids in private_metadata", () => {
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({ k: "k1", c: "C0123ABCD" });
    expect(readFormMetadata(view.private_metadata)).toEqual({
      requestKey: "k1",
      channelId: "C0123ABCD",
    });
    expect(readFormMetadata("nonsense")).toBeNull();
    expect(readFormMetadata(undefined)).toBeNull();
  });

  it("does not preselect a DM as reminder channel", () => {
    const fromDm = buildClientFormView({ requestKey: "k", channelId: "D0123ABCD" });
    expect(byBlock(fromDm, BLOCK.reminderChannel)?.element).not.toHaveProperty(
      "initial_conversation",
    );
  });

  it("prefills the name typed after the command, cut to what the field accepts", () => {
    const named = buildClientFormView({ requestKey: "k", initialName: ` ${"x".repeat(500)} ` });
    const name = byBlock(named, BLOCK.name)?.element;
    expect(name).toMatchObject({ type: "plain_text_input", max_length: 200 });
    expect((name as { initial_value: string }).initial_value).toHaveLength(200);
    expect(limitViolations(named)).toEqual([]);
  });

  it("stays within Slack's limits", () => {
    expect(limitViolations(view)).toEqual([]);
  });
});

describe("pane 2, Create Secret", () => {
  const view = buildSecretFormView({ requestKey: "k2", defaultExpiration: "2027-03-10" });

  it("uses the portal's title, buttons and field labels", () => {
    expect(view.title.text).toBe("Create Secret");
    expect(view.submit?.text).toBe("Submit for approval");
    expect(view.callback_id).toBe(SECRET_FORM);
    expect(labels(view)).toEqual(["Description", "Expiration Date", "Never Expires"]);
    expect(byBlock(view, BLOCK.expirationDate)?.element).toMatchObject({
      type: "datepicker",
      initial_date: "2027-03-10",
    });
    expect(byBlock(view, BLOCK.description)?.optional).toBe(true);
    expect(byBlock(view, BLOCK.neverExpires)?.optional).toBe(true);
    expect(readFormMetadata(view.private_metadata)).toEqual({ requestKey: "k2" });
    expect(limitViolations(view)).toEqual([]);
  });

  it("names the client when rotating, escaped", () => {
    const rotation = buildSecretFormView({
      requestKey: "k",
      clientName: "<!channel> & <@U123>",
      defaultExpiration: "2027-03-10",
    });
    const about = rotation.blocks[0];
    expect(about?.type).toBe("context");
    expect(JSON.stringify(about)).toContain("&lt;!channel&gt; &amp; &lt;@U123&gt;");
    expect(JSON.stringify(rotation)).not.toContain("<!channel>");
  });

  it("leaves the picker empty rather than send a malformed date", () => {
    const bad = buildSecretFormView({ requestKey: "k", defaultExpiration: "next year" });
    expect(byBlock(bad, BLOCK.expirationDate)?.element).not.toHaveProperty("initial_date");
  });
});

describe("notices and the deny reason", () => {
  it("a notice has one section and only a Close button", () => {
    const view = buildNoticeView(
      "You need the Tenant Administrator role to add clients",
      "Ask a *Tenant Administrator*.",
    );
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe("Close");
    expect(view.blocks).toHaveLength(1);
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(limitViolations(view)).toEqual([]);
    expect(limitViolations(buildNoticeView("Submitted", "x&".repeat(3000)))).toEqual([]);
  });

  it("the deny modal carries the request id", () => {
    const view = buildDenyReasonView({ requestId: "req-1" });
    expect(view).toMatchObject({
      callback_id: DENY_FORM,
      private_metadata: "req-1",
      title: { text: "Deny request" },
      submit: { text: "Deny" },
    });
    expect(byBlock(view, BLOCK.denyReason)?.optional).toBe(true);
    expect(limitViolations(view)).toEqual([]);
  });
});

describe("reading submissions", () => {
  // Shaped like view.state.values in a real view_submission payload.
  const clientState = {
    [BLOCK.name]: { [BLOCK.name]: { type: "plain_text_input", value: "Gateway" } },
    [BLOCK.allowRefreshToken]: {
      [BLOCK.allowRefreshToken]: {
        type: "checkboxes",
        selected_options: [
          {
            text: { type: "plain_text", text: "Allow Refresh Token" },
            value: "allow_refresh_token",
          },
        ],
      },
    },
    [BLOCK.redirectUris]: {
      [BLOCK.redirectUris]: { type: "plain_text_input", value: "https://a.example/cb" },
    },
    [BLOCK.logoutRedirectUris]: {
      [BLOCK.logoutRedirectUris]: { type: "plain_text_input", value: null },
    },
    [BLOCK.tokenLifetime]: { [BLOCK.tokenLifetime]: { type: "number_input", value: "900" } },
    [BLOCK.reminderChannel]: {
      [BLOCK.reminderChannel]: { type: "conversations_select", selected_conversation: "C0123ABCD" },
    },
    [BLOCK.reason]: { [BLOCK.reason]: { type: "plain_text_input", value: null } },
  };

  it("reads pane 1 into the form validation understands", () => {
    const raw = readClientForm(clientState);
    expect(raw).toEqual({
      name: "Gateway",
      allowRefreshToken: true,
      redirectUris: "https://a.example/cb",
      logoutRedirectUris: null,
      tokenLifetime: "900",
      reminderChannel: "C0123ABCD",
      reason: null,
    });
    expect(validateClientForm(raw).ok).toBe(true);
  });

  it("tolerates missing blocks and odd shapes", () => {
    expect(readClientForm(undefined)).toMatchObject({ name: null, allowRefreshToken: false });
    expect(readClientForm({ [BLOCK.name]: { [BLOCK.name]: { value: 42 } } }).name).toBeNull();
    expect(
      readSecretForm({ [BLOCK.neverExpires]: { x: { selected_options: "yes" } } }).neverExpires,
    ).toBe(false);
    expect(readDenyReason(null)).toBe("");
  });

  it("reads pane 2 and the deny reason", () => {
    const raw = readSecretForm({
      [BLOCK.description]: { [BLOCK.description]: { type: "plain_text_input", value: "rotation" } },
      [BLOCK.expirationDate]: {
        [BLOCK.expirationDate]: { type: "datepicker", selected_date: "2027-01-01" },
      },
      [BLOCK.neverExpires]: { [BLOCK.neverExpires]: { type: "checkboxes", selected_options: [] } },
    });
    expect(raw).toEqual({
      description: "rotation",
      expirationDate: "2027-01-01",
      neverExpires: false,
    });
    expect(
      readDenyReason({
        [BLOCK.denyReason]: { [BLOCK.denyReason]: { type: "plain_text_input", value: " no " } },
      }),
    ).toBe("no");
  });

  it("maps errors onto the blocks that show them", () => {
    const client = validateClientForm({});
    expect(client.ok).toBe(false);
    if (client.ok) return;
    const errors = clientFormErrors(client.errors);
    expect(Object.keys(errors).sort()).toEqual(
      [BLOCK.name, BLOCK.redirectUris, BLOCK.reminderChannel].sort(),
    );
    const secret = validateSecretForm({ description: "d".repeat(201) }, new Date());
    if (secret.ok) throw new Error("expected errors");
    expect(secretFormErrors(secret.errors)).toEqual({
      [BLOCK.description]: expect.stringMatching(/200/),
      [BLOCK.expirationDate]: expect.stringMatching(/Pick an expiration date/),
    });
  });
});

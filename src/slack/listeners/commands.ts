// `/hybrid-client …`: ack at once, open any modal before anything slow (the trigger_id
// lives 3 s), then check the requester and replace the modal if they may not proceed.
import type { App, RespondFn } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { defaultExpirationDate } from "../../requests/validation.js";
import { buildClientList } from "../client-list.js";
import { buildHelp, buildStatusList } from "../messages.js";
import { buildClientFormView, buildNoticeView, buildSecretFormView } from "../views.js";
import { afterAck, type ListenerContext, newFormKey, tell } from "./context.js";

export const COMMAND = "/hybrid-client";

export function registerCommands(app: App, ctx: ListenerContext): void {
  app.command(COMMAND, async ({ command, ack, respond, client }) => {
    const text = command.text.trim();
    const [word = "", ...rest] = text.split(/\s+/);
    const sub = word.toLowerCase();
    switch (sub) {
      case "add": {
        await ack();
        const initialName = text.slice(word.length).trim();
        await openClientForm(ctx, client, respond, {
          triggerId: command.trigger_id,
          userId: command.user_id,
          channelId: command.channel_id,
          initialName,
        });
        return;
      }
      case "secret": {
        await ack();
        await openRotationForm(ctx, client, respond, {
          triggerId: command.trigger_id,
          userId: command.user_id,
          channelId: command.channel_id,
          clientId: rest[0] ?? "",
        });
        return;
      }
      case "status": {
        await ack();
        await afterAck(ctx, "status", respond, async () => {
          const requests = await ctx.workflow.openRequestsOf(command.user_id);
          await respond({ response_type: "ephemeral", ...buildStatusList(requests) });
        });
        return;
      }
      case "list": {
        await ack({ response_type: "ephemeral", text: "Looking up the tenant's hybrid clients…" });
        await afterAck(ctx, "list", respond, async () => {
          const { entries } = await ctx.catalog.list();
          const message = buildClientList(entries, ctx.now());
          await respond({ response_type: "ephemeral", replace_original: true, ...message });
        });
        return;
      }
      case "":
      case "help":
        await ack({ response_type: "ephemeral", ...buildHelp() });
        return;
      default:
        await ack({ response_type: "ephemeral", ...buildHelp(text) });
    }
  });
}

/** Opens "Add Client" and, once open, checks the requester may use it. */
export async function openClientForm(
  ctx: ListenerContext,
  client: WebClient,
  respond: RespondFn | undefined,
  at: { triggerId: string; userId: string; channelId?: string; initialName?: string },
): Promise<void> {
  const formKey = newFormKey();
  await afterAck(ctx, "open client form", respond, async () => {
    const opened = await client.views.open({
      trigger_id: at.triggerId,
      view: buildClientFormView({
        initialName: at.initialName,
        requestKey: formKey,
        channelId: at.channelId,
      }),
    });
    const check = await ctx.workflow.checkRequesterForForm(at.userId);
    if (!check.ok && opened.view?.id) {
      await replaceView(
        client,
        opened.view.id,
        opened.view.hash,
        buildNoticeView(noticeTitle(check.code), check.message),
      );
    }
  });
}

/** Opens "Create Secret" for an existing client (a command or a reminder's button). */
export async function openRotationForm(
  ctx: ListenerContext,
  client: WebClient,
  respond: RespondFn | undefined,
  at: { triggerId: string; userId: string; channelId?: string; clientId: string },
): Promise<void> {
  if (!at.clientId) {
    if (respond)
      await tell(
        respond,
        "Which client? Usage: `/hybrid-client secret <client-id>` (`/hybrid-client list` shows the ids).",
      );
    return;
  }
  const formKey = newFormKey();
  await afterAck(ctx, "open rotation form", respond, async () => {
    const opened = await client.views.open({
      trigger_id: at.triggerId,
      view: buildNoticeView("Create Secret", "Looking up the client in AVEVA Data Hub…"),
    });
    const viewId = opened.view?.id;
    if (!viewId) return;
    const [check, rotation] = await Promise.all([
      ctx.workflow.checkRequesterForForm(at.userId),
      ctx.workflow.prepareRotation(at.clientId),
    ]);
    if (!check.ok) {
      await replaceView(
        client,
        viewId,
        undefined,
        buildNoticeView(noticeTitle(check.code), check.message),
      );
      return;
    }
    if (!rotation.ok) {
      await replaceView(
        client,
        viewId,
        undefined,
        buildNoticeView("Cannot add a secret", rotation.message),
      );
      return;
    }
    await ctx.workflow.saveDraft(formKey, {
      kind: "new-secret",
      requesterId: at.userId,
      reminderChannel: at.channelId ?? at.userId,
      reason: "",
      clientId: at.clientId,
      client: {
        name: rotation.clientName,
        allowOfflineAccess: false,
        redirectUris: [],
        postLogoutRedirectUris: [],
        accessTokenLifetime: 3600,
      },
    });
    await replaceView(
      client,
      viewId,
      undefined,
      buildSecretFormView({
        requestKey: formKey,
        clientName: rotation.clientName,
        defaultExpiration: defaultExpirationDate(new Date(ctx.now())),
      }),
    );
  });
}

async function replaceView(
  client: WebClient,
  viewId: string,
  hash: string | undefined,
  view: ModalView,
): Promise<void> {
  try {
    await client.views.update({ view_id: viewId, ...(hash ? { hash } : {}), view });
  } catch (error) {
    // hash_conflict: the user already moved on to pane 2; the submit re-checks anyway.
    if ((error as { data?: { error?: string } }).data?.error !== "hash_conflict") throw error;
  }
}

function noticeTitle(code: string): string {
  return code === "adh-unavailable" ? "ADH unreachable" : "Not allowed";
}

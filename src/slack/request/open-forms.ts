// Opening the forms: the modal opens before anything slow (the trigger_id lives 3 s),
// then the requester is checked and the modal replaced if they may not proceed.
import { randomBytes } from "node:crypto";
import type { RespondFn } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { rotationDraft } from "../../requests/submit.js";
import { defaultExpirationDate } from "../../requests/validation.js";
import { afterAck, tell } from "../kit/ack.js";
import type { ListenerContext } from "../kit/context.js";
import { buildNoticeView } from "../kit/notice.js";
import { requesterRefusalText } from "../request-card/failures.js";
import { buildClientFormView } from "../request-form/client-pane.js";
import { buildSecretFormView } from "../request-form/secret-pane.js";
import { noticeTitle, ROTATION_USAGE, rotationRefusalText } from "./wording.js";

/** The random key that ties a modal's panes to its draft in Redis. */
export function newFormKey(): string {
  return randomBytes(12).toString("base64url");
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
        buildNoticeView(noticeTitle(check.code), requesterRefusalText(check)),
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
    if (respond) await tell(respond, ROTATION_USAGE);
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
      const notice = buildNoticeView(noticeTitle(check.code), requesterRefusalText(check));
      await replaceView(client, viewId, undefined, notice);
      return;
    }
    if (!rotation.ok) {
      const notice = buildNoticeView("Cannot add a secret", rotationRefusalText(rotation.refusal));
      await replaceView(client, viewId, undefined, notice);
      return;
    }
    // Replace secret (issue 11 item 5): the client's current secrets.
    const replaceChoices = await ctx.workflow.replaceChoices(at.clientId);
    const replaceRequired = rotation.replaceRequired === true;
    await ctx.workflow.saveDraft(
      formKey,
      rotationDraft(at.userId, {
        clientId: at.clientId,
        clientName: rotation.clientName,
        reminderChannel: at.channelId ?? at.userId,
        replaceChoices,
        replaceRequired,
      }),
    );
    await replaceView(
      client,
      viewId,
      undefined,
      buildSecretFormView({
        requestKey: formKey,
        clientName: rotation.clientName,
        defaultExpiration: defaultExpirationDate(new Date(ctx.now())),
        replaceChoices,
        replaceRequired,
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

// The bot's Home tab: what waits for the viewer's approval, their own requests, secrets
// expiring soon (Tenant Administrators), and a button to ask for a client. A Home view
// holds at most 100 blocks: each list shows its first rows and says how many more there are.
import type { Button, KnownBlock } from "@slack/types";
import { type HybridClientRequest, KIND } from "../../requests/model.js";
import { DENY, HOME_APPROVE, HOME_CANCEL, HOME_REQUEST } from "../ids.js";
import { actions, context, header, plain, section } from "../kit/blocks.js";
import { slackDate, when } from "../kit/dates.js";
import { code, escapeMrkdwn, mention } from "../kit/mrkdwn.js";
import { approvalProgress, clientName, statusWord } from "../request-card/details.js";

/** Rows shown per list: 15×2 + 10 + 10 + 15 rows and the headers stay well under 100 blocks. */
export const SHOWN = { waiting: 15, open: 10, expiring: 15 } as const;

export interface ExpiringSecret {
  clientId: string;
  clientName: string;
  description: string;
  /** Epoch seconds. */
  expiration: number;
}

export interface HomeModel {
  /** Present for approvers: pending requests they may still vote on. */
  waiting?: { requests: HybridClientRequest[]; total: number };
  mine: { open: HybridClientRequest[]; finished: HybridClientRequest[] };
  /** Present for Tenant Administrators. */
  expiring?: { secrets: ExpiringSecret[]; total: number };
}

export interface HomeView {
  type: "home";
  blocks: KnownBlock[];
}

export function buildHomeView(model: HomeModel): HomeView {
  const blocks: KnownBlock[] = [
    section(
      "Ask for an AVEVA Data Hub hybrid client or a new secret; approvers decide here or in the approvals channel.",
      "intro",
    ),
    actions([button("Request a hybrid client", HOME_REQUEST, "new", "primary")], "request"),
  ];
  if (model.waiting) blocks.push(...waitingBlocks(model.waiting));
  blocks.push(...mineBlocks(model.mine));
  if (model.expiring) blocks.push(...expiringBlocks(model.expiring));
  return { type: "home", blocks };
}

function waitingBlocks(w: NonNullable<HomeModel["waiting"]>): KnownBlock[] {
  const out: KnownBlock[] = [{ type: "divider" }, header("Waiting for your approval", "waiting")];
  if (w.total === 0) return [...out, context("Nothing waits for you.", "waiting:none")];
  const shown = w.requests.slice(0, SHOWN.waiting);
  for (const r of shown) {
    out.push(
      section(
        `${clientName(r)} · ${kindWord(r)} · asked by ${mention(r.requesterId)}\n${approvalProgress(r, r.approvalsRequired, false)} · expires ${when(r.expiresAt)}`,
        `waiting:${r.id}`,
      ),
      actions(
        [button("Approve", HOME_APPROVE, r.id, "primary"), button("Deny", DENY, r.id, "danger")],
        `decide:${r.id}`,
      ),
    );
  }
  if (w.total > shown.length) out.push(more(w.total - shown.length, "waiting:more"));
  return out;
}

function mineBlocks(mine: HomeModel["mine"]): KnownBlock[] {
  const out: KnownBlock[] = [{ type: "divider" }, header("Your requests", "mine")];
  if (mine.open.length === 0) out.push(context("You have no open requests.", "mine:none"));
  for (const r of mine.open.slice(0, SHOWN.open)) {
    const row = section(
      `${clientName(r)} · ${kindWord(r)}\n${statusWord(r)} · asked ${when(r.createdAt)}`,
      `mine:${r.id}`,
    );
    out.push(
      r.status === "pending"
        ? { ...row, accessory: button("Cancel", HOME_CANCEL, r.id, "danger") }
        : row,
    );
  }
  if (mine.open.length > SHOWN.open) out.push(more(mine.open.length - SHOWN.open, "mine:more"));
  if (mine.finished.length > 0) {
    const lines = mine.finished.map(
      (r) => `• ${clientName(r)} · ${kindWord(r)} · ${statusWord(r)} ${when(r.updatedAt)}`,
    );
    out.push(section(`*Last finished*\n${lines.join("\n")}`, "mine:finished"));
  }
  return out;
}

function expiringBlocks(e: NonNullable<HomeModel["expiring"]>): KnownBlock[] {
  const out: KnownBlock[] = [{ type: "divider" }, header("Secrets expiring soon", "expiring")];
  if (e.total === 0)
    return [...out, context("No tracked secret expires within 30 days.", "expiring:none")];
  const shown = e.secrets.slice(0, SHOWN.expiring);
  shown.forEach((s, i) => {
    const description = s.description.trim() ? ` (${escapeMrkdwn(s.description, 200)})` : "";
    out.push(
      section(
        `*${escapeMrkdwn(s.clientName, 200)}* ${code(s.clientId, 120)}${description}\nexpires ${slackDate(s.expiration, new Date(s.expiration * 1000).toISOString().slice(0, 10))}`,
        `expiring:${i}`,
      ),
    );
  });
  if (e.total > shown.length) out.push(more(e.total - shown.length, "expiring:more"));
  return out;
}

const kindWord = (r: HybridClientRequest) =>
  r.kind === KIND.rotation ? "new secret" : "new client";

const more = (n: number, blockId: string) => context(`…and ${n} more not shown.`, blockId);

function button(
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
): Button {
  return {
    type: "button",
    text: plain(text),
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

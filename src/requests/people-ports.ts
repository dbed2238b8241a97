// What the people around a request are told, as values: the Slack layer words them.
import type { HybridClientRequest } from "./model.js";

/** Who to mention: users one by one, user groups as groups. */
export interface Mentions {
  users: string[];
  groups: string[];
}

/** One vote, for the approvals message's thread. */
export type Vote =
  | { kind: "approved"; userId: string; at: number; count: number; required: number }
  | { kind: "denied"; userId: string; at: number; reason: string };

/** Replies in the approvals message's thread. */
export interface ApprovalThreadPort {
  postVote(request: HybridClientRequest, vote: Vote): Promise<void>;
  postReminder(request: HybridClientRequest, mentions: Mentions, n: number): Promise<void>;
  postEscalation(request: HybridClientRequest, mentions: Mentions): Promise<void>;
}

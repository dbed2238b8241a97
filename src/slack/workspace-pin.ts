// Workspace pinning: the bot serves the workspace its token belongs to (learned from
// auth.test) and nobody else. A signed request for another team means our signing secret
// or app is shared; a user whose team differs is a guest from another organisation
// through a Slack Connect channel. Both are acked (so Slack does not retry) and ignored.
import type { BotIdentity } from "./identity.js";

export interface ForeignRequest {
  why: "another team" | "another organisation's user";
  teamId?: string;
  userTeamId?: string;
}

type Body = {
  team_id?: unknown;
  enterprise_id?: unknown;
  team?: { id?: unknown } | null;
  enterprise?: { id?: unknown } | null;
  user?: { team_id?: unknown; enterprise_id?: unknown } | null;
  user_team_id?: unknown;
};

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;

/** Why this request is not ours, or undefined when it is. */
export function foreignRequest(raw: unknown, ours: BotIdentity): ForeignRequest | undefined {
  const body = (raw ?? {}) as Body;
  // Slash commands carry team_id/enterprise_id; interactions carry team/enterprise objects.
  const teamId = text(body.team_id) ?? text(body.team?.id);
  const enterpriseId = text(body.enterprise_id) ?? text(body.enterprise?.id);
  const sameOrg = ours.enterpriseId !== undefined && enterpriseId === ours.enterpriseId;
  if (teamId !== undefined && teamId !== ours.teamId && !sameOrg) {
    return { why: "another team", teamId };
  }
  // On Enterprise Grid a user of a sibling workspace belongs to the same organisation.
  const userTeamId = text(body.user?.team_id) ?? text(body.user_team_id);
  const userEnterpriseId = text(body.user?.enterprise_id);
  const userSameOrg = ours.enterpriseId !== undefined && userEnterpriseId === ours.enterpriseId;
  if (userTeamId !== undefined && userTeamId !== ours.teamId && !userSameOrg) {
    return { why: "another organisation's user", userTeamId };
  }
  return undefined;
}

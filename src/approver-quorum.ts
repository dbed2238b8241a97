// APPROVALS_REQUIRED must be reachable: a request needing three approvals when only two
// people can approve would wait until it expires. Approvers are the users in APPROVERS
// plus the members of its user groups, each person counted once.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";

export interface ApproverSettings {
  approverUsers: string[];
  approverGroups: string[];
  approvalsRequired: number;
}

export type Quorum =
  | { possible: true; approvers: number }
  | { possible: false; approvers: number; required: number };

/** Compares APPROVALS_REQUIRED with a set of distinct approver ids. */
export function judgeQuorum(approvers: ReadonlySet<string>, required: number): Quorum {
  return approvers.size >= required
    ? { possible: true, approvers: approvers.size }
    : { possible: false, approvers: approvers.size, required };
}

/** The distinct approvers: the users listed plus every member of the groups listed. */
export async function resolveApprovers(
  slack: WebClient,
  settings: Pick<ApproverSettings, "approverUsers" | "approverGroups">,
): Promise<Set<string>> {
  const ids = new Set(settings.approverUsers);
  for (const usergroup of settings.approverGroups) {
    const { users } = await slack.usergroups.users.list({ usergroup });
    for (const id of users ?? []) ids.add(id);
  }
  return ids;
}

export function quorumProblem(q: Extract<Quorum, { possible: false }>): string {
  return `APPROVALS_REQUIRED is ${q.required} but only ${q.approvers} distinct ${q.approvers === 1 ? "person" : "people"} can approve (users in APPROVERS plus members of its user groups), so no request could ever be approved`;
}

/**
 * At start: logs an error when the quorum cannot be met. It does not stop the bot (a
 * group may gain members later); a Slack failure here is only a warning.
 */
export async function logImpossibleQuorum(
  slack: WebClient,
  settings: ApproverSettings,
  logger: Logger,
): Promise<Quorum | undefined> {
  try {
    const quorum = judgeQuorum(await resolveApprovers(slack, settings), settings.approvalsRequired);
    if (!quorum.possible) {
      logger.error(
        { event: "quorum_impossible", ...quorum },
        `${quorumProblem(quorum)}; lower APPROVALS_REQUIRED or add approvers, and run npm run doctor`,
      );
    }
    return quorum;
  } catch (error) {
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "could not resolve the approver groups to check APPROVALS_REQUIRED",
    );
    return undefined;
  }
}

// The people around a request: vote history and approver reminders in the approvals
// thread, and each person's App Home, refreshed after every change it shows.
import type { ReminderService } from "../reminders/service.js";
import { ApproverReminders } from "../requests/approver-reminders.js";
import { recordVotes } from "../requests/vote-history.js";
import type { RequestWorkflow } from "../requests/workflow.js";
import { SlackApprovalThread } from "../slack/approval/thread.js";
import { HomePublisher } from "../slack/home/publisher.js";
import { ApproverReminderStore } from "../store/approver-reminders.js";
import { HomePeopleStore } from "../store/home-people.js";
import type { RequestStore } from "../store/request-store.js";
import type { Wiring } from "./shared.js";
import { hasEscalation } from "./workflow.js";

export function wirePeople(
  w: Wiring,
  parts: { workflow: RequestWorkflow; store: RequestStore; reminders: ReminderService },
): { approverReminders: ApproverReminders; home: HomePublisher } {
  const { config, logger, redis, slack, now } = w;
  const { workflow, store, reminders } = parts;
  const approvalThread = new SlackApprovalThread(slack);
  recordVotes(workflow.engine, approvalThread);
  const approverReminders = new ApproverReminders(
    workflow.engine,
    new ApproverReminderStore(redis, {
      intervalMs: config.approvalReminderMinutes * 60_000,
      max: config.approvalRemindersMax,
      escalateAfterMs: hasEscalation(w) ? config.escalateAfterMinutes * 60_000 : undefined,
    }),
    approvalThread,
    {
      approvers: { users: config.approverUsers, groups: config.approverGroups },
      escalation: { users: config.escalationUsers, groups: config.escalationGroups },
      allowSelfApproval: config.allowSelfApproval,
    },
  );
  const home = new HomePublisher({
    client: slack,
    store,
    people: new HomePeopleStore(redis),
    mayDecide: (userId) => workflow.mayDecide(userId),
    isAdmin: async (userId) => (await workflow.checkRequester(userId)).ok,
    expiringSoon: async (nowMs) => {
      const horizon = nowMs / 1000 + 30 * 86_400;
      return (await reminders.tracked.listTracked())
        .filter((s) => s.expiration !== null && s.expiration <= horizon)
        .map((s) => ({ ...s, expiration: s.expiration ?? 0 }))
        .sort((a, b) => a.expiration - b.expiration);
    },
    allowSelfApproval: config.allowSelfApproval,
    logger: logger.child({ component: "home" }),
    now,
  });
  workflow.engine.afterChange((_event, request) => home.changed(request));
  return { approverReminders, home };
}

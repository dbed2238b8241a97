// Vote history: each approval and denial is also a reply in the approvals message's
// thread, so the channel shows who voted, when, and why a request was denied.
import type { RequestEngine } from "./engine.js";
import type { HybridClientRequest } from "./model.js";
import type { ApprovalThreadPort, Vote } from "./people-ports.js";

/** Posts every vote the engine stores from now on in the approvals thread. */
export function recordVotes(engine: RequestEngine, thread: ApprovalThreadPort): void {
  engine.afterChange((event, request, actor) => {
    const vote = voteOf(event, request, actor);
    if (!vote || !request.approvalMessage) return;
    engine.track(engine.safely("post vote", () => thread.postVote(request, vote)));
  });
}

/** The vote a change records, read from the stored request (never from the click). */
export function voteOf(event: string, r: HybridClientRequest, actor: string): Vote | undefined {
  if (event === "request.approved") {
    const mine = r.approvals.find((a) => a.userId === actor);
    if (!mine) return undefined;
    return {
      kind: "approved",
      userId: actor,
      at: mine.at,
      count: r.approvals.indexOf(mine) + 1,
      required: r.approvalsRequired,
    };
  }
  if (event === "request.denied" && r.denial) {
    return { kind: "denied", userId: r.denial.userId, at: r.denial.at, reason: r.denial.reason };
  }
  return undefined;
}

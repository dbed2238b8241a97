// The requester hears every outcome. Denied, expired, failed and created are told where
// they happen (announce, apply); this adds the rest: approved (the last approval), cancelled
// and retried. The notifier keeps them all in the request's one DM thread.
import type { RequestEngine } from "./engine.js";
import type { NotifierPort, RequesterEvent } from "./ports.js";

const NEWS: Record<string, RequesterEvent> = {
  "request.cancelled": "cancelled",
  "request.retried": "retried",
};

export function tellRequesterEveryOutcome(
  engine: RequestEngine,
  notifier: Pick<NotifierPort, "tellRequester">,
): void {
  engine.afterChange((event, request) => {
    const news =
      event === "request.approved" && request.status === "creating" ? "approved" : NEWS[event];
    if (!news) return;
    engine.track(engine.safely("tell requester", () => notifier.tellRequester(request, news)));
  });
}

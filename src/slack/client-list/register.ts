// `/hybrid-client list`: acked with a "looking up" line at once, answered when ADH has.
import type { App } from "@slack/bolt";
import { afterAck } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { buildClientList } from "./message.js";

export function register(_app: App, deps: JourneyDeps): void {
  deps.commands.on("list", async ({ ack, respond }) => {
    await ack({ response_type: "ephemeral", text: "Looking up the tenant's hybrid clients…" });
    await afterAck(deps, "list", respond, async () => {
      const { entries } = await deps.catalog.list();
      const message = buildClientList(entries, deps.now());
      await respond({ response_type: "ephemeral", replace_original: true, ...message });
    });
  });
}

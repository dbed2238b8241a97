// `/hybrid-client list`: acked with a "looking up" line at once, answered when ADH has.
// Tenant Administrators only (checked in ADH first, before any client is read); the
// tenant's list comes from the cache every replica shares.
import type { App } from "@slack/bolt";
import { afterAck } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { buildClientList } from "./message.js";
import { listRefusalText } from "./refusal.js";

export function register(_app: App, deps: JourneyDeps): void {
  deps.commands.on("list", async ({ ack, respond, command }) => {
    await ack({ response_type: "ephemeral", text: "Looking up the tenant's hybrid clients…" });
    await afterAck(deps, "list", respond, async () => {
      const check = await deps.workflow.checkRequester(command.user_id);
      if (!check.ok) {
        const { ok: _ok, ...refusal } = check;
        const text = listRefusalText(refusal);
        await respond({ response_type: "ephemeral", replace_original: true, text });
        return;
      }
      const { entries, total } = await deps.catalog.list();
      const message = buildClientList(entries, deps.now(), total);
      await respond({ response_type: "ephemeral", replace_original: true, ...message });
    });
  });
}

// `/hybrid-client audit [client-id]`: acked at once, answered ephemerally once the reader's
// role is checked (approver in Slack, or Tenant Administrator in ADH).
import type { App } from "@slack/bolt";
import { afterAck } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { auditRefusalText, buildAuditMessage } from "./message.js";

export function register(_app: App, deps: JourneyDeps): void {
  deps.commands.on("audit", async ({ ack, respond, command, rest }) => {
    await ack({ response_type: "ephemeral", text: "Reading the audit trail…" });
    await afterAck(deps, "audit", respond, async () => {
      const [word] = rest.split(/\s+/);
      const clientId = word ? word.toLowerCase() : undefined;
      const read = await deps.workflow.recentAudit(command.user_id, clientId);
      const message = read.ok
        ? buildAuditMessage(read.events, clientId)
        : { text: auditRefusalText(read.code) };
      await respond({ response_type: "ephemeral", replace_original: true, ...message });
    });
  });
}

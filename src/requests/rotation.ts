// Can an existing client take one more secret? Asked before the rotation form opens (so
// a client at ADH's limit gets an explanation instead of a failing approval) and again
// when the approved rotation is applied.
import type { RotationRefusal } from "./outcomes.js";
import type { AdhPort } from "./ports.js";

/** ADH's documented limit of secrets per hybrid client. */
export const MAX_SECRETS_PER_CLIENT = 10;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isClientId = (text: string): boolean => GUID.test(text);

/** null when the client exists and has room for one more secret. */
export async function rotationRefusal(
  adh: Pick<AdhPort, "getHybridClient" | "listSecrets">,
  clientId: string,
): Promise<RotationRefusal | null> {
  const client = await adh.getHybridClient(clientId);
  if (!client) return { code: "no-such-client", clientId };
  const secrets = await adh.listSecrets(clientId);
  if (secrets.length >= MAX_SECRETS_PER_CLIENT) {
    return { code: "secret-limit", clientId, limit: MAX_SECRETS_PER_CLIENT };
  }
  return null;
}

// What the form's panes carry in private_metadata: the draft's key and the channel the
// command was typed in (ids only; the draft itself lives in the store).

/** What pane 1 and pane 2 carry in private_metadata (ids only). */
export interface FormMetadata {
  requestKey: string;
  channelId?: string;
}

/** The ids pane 1 or pane 2 carried; null when private_metadata is not ours. */
export function readFormMetadata(privateMetadata: string | undefined): FormMetadata | null {
  try {
    const parsed: unknown = JSON.parse(privateMetadata ?? "");
    if (typeof parsed !== "object" || parsed === null) return null;
    const { k, c } = parsed as { k?: unknown; c?: unknown };
    if (typeof k !== "string" || k === "") return null;
    return typeof c === "string" ? { requestKey: k, channelId: c } : { requestKey: k };
  } catch {
    return null;
  }
}

export function formMetadata(meta: FormMetadata): string {
  return JSON.stringify(
    meta.channelId ? { k: meta.requestKey, c: meta.channelId } : { k: meta.requestKey },
  );
}

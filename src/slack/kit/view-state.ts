// Reading `view.state.values` tolerantly: a missing block or an unexpected shape reads
// as empty, and validation then says what is missing.

/** `view.state.values`: block id → action id → element state. */
export type ViewStateValues = Readonly<
  Record<string, Readonly<Record<string, unknown>> | undefined>
>;

export function byBlock<F extends string>(
  errors: Partial<Record<F, string>>,
  blocks: Record<F, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of Object.keys(errors) as F[]) {
    const message = errors[field];
    if (message !== undefined && Object.hasOwn(blocks, field)) out[blocks[field]] = message;
  }
  return out;
}

/** The element state of an input block; by its action id, else the block's only element. */
export function element(values: ViewStateValues | null | undefined, blockId: string): unknown {
  const block = isRecord(values) ? values[blockId] : undefined;
  if (!isRecord(block)) return undefined;
  return block[blockId] ?? Object.values(block)[0];
}

export function textValue(
  values: ViewStateValues | null | undefined,
  blockId: string,
): string | null {
  return stringField(element(values, blockId), "value");
}

export function stringField(state: unknown, key: string): string | null {
  if (!isRecord(state)) return null;
  const v = state[key];
  return typeof v === "string" ? v : null;
}

export function isChecked(
  values: ViewStateValues | null | undefined,
  blockId: string,
  option: string,
) {
  const state = element(values, blockId);
  const selected = isRecord(state) ? state.selected_options : undefined;
  return Array.isArray(selected) && selected.some((o) => isRecord(o) && o.value === option);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

// The end-to-end set-up every e2e file shares: one harness (the real bot, fake Slack, fake
// ADH, real Redis) started before the file's tests and closed after them.
import { afterAll, beforeAll } from "vitest";
import { type Harness, type HarnessOptions, startHarness } from "./harness.js";

/**
 * Starts a harness in beforeAll (then runs `setup` on it) and closes it in afterAll. The
 * returned object stands for that harness once started; touching it earlier throws.
 */
export function useHarness(
  options: HarnessOptions = {},
  setup?: (h: Harness) => void | Promise<void>,
): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
    await setup?.(current);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!current) throw new Error("the harness is used before beforeAll started it");
      const value: unknown = Reflect.get(current, key);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}

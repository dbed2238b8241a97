// Shared by the ADH client tests: a client pointed at a fake ADH with fast retries, and
// the AdhError a promise must reject with.
import pino from "pino";
import { expect } from "vitest";
import { AdhClient, type AdhClientOptions } from "../../src/adh/client.js";
import { AdhError } from "../../src/adh/errors.js";
import type { FakeAdh } from "../fakes/adh.js";

export function adhClientFor(fake: FakeAdh, extra: Partial<AdhClientOptions> = {}): AdhClient {
  return new AdhClient({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger: pino({ level: "silent" }),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
}

export async function rejection(p: Promise<unknown>): Promise<AdhError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdhError);
  return err as AdhError;
}

// What the use-case tests share: a request store on real Redis under a prefix of their
// own (deleted afterwards), and the workflow's options over in-memory ADH and Slack ports.
import pino from "pino";
import { afterAll } from "vitest";
import type { AdhPort, NotifierPort } from "../../src/requests/ports.js";
import type { WorkflowOptions } from "../../src/requests/workflow.js";
import { closeRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { deletePrefix, testPrefix, testRedis } from "./redis.js";

/** A store on real Redis for this test file; closed and deleted after its tests. */
export function useCaseStore(name: string) {
  const prefix = testPrefix(name);
  const redis = testRedis(prefix);
  const store = new RequestStore(redis);
  afterAll(async () => {
    await closeRedis(redis);
    await deletePrefix(prefix);
  });
  return { redis, store };
}

/**
 * One approver, one approval needed, no self-approval, a one-hour TTL; every Slack user is
 * `<id>@example.com` and an ADH user. Tests add or override what they are about.
 */
export function memoryWorkflowOptions(ports: {
  store: RequestStore;
  adh: AdhPort;
  notifier: NotifierPort;
  approver: string;
}): WorkflowOptions {
  return {
    store: ports.store,
    adh: ports.adh,
    directory: { findUserByEmail: async () => ({ id: "adh-requester" }) },
    people: {
      emailOf: async (id) => `${id.toLowerCase()}@example.com`,
      isApprover: async (id) => id === ports.approver,
    },
    notifier: ports.notifier,
    tracker: { trackMintedSecret: async () => undefined },
    logger: pino({ level: "silent" }),
    approvalsRequired: 1,
    allowSelfApproval: false,
    requestTtlMs: 3_600_000,
  };
}

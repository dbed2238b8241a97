// The tenant sync: every hybrid client of the tenant, and each one's secrets, into the
// tracked-secrets store, so secrets not minted by the bot are reminded too.
//
// Deletions are the dangerous half. They are applied only after a COMPLETE sync: one
// failed call (after the ADH client's own retries) stops the run and nothing is
// untracked, so an ADH outage can never wipe the tracking. Clients are untracked only
// when the client listing was stable while we paged it (skip/count paging over a list
// that changes underneath can skip an item, which would look like a deletion).
import type { Logger } from "../log.js";
import type { SecretRef, TrackedSecretStore, TrackInput } from "../store/tracked-secrets.js";
import { TaskPool } from "../task-pool.js";
import type { SecretSource } from "./ports.js";
import { expirationSeconds } from "./thresholds.js";

export interface TenantSyncOptions {
  source: SecretSource;
  store: TrackedSecretStore;
  /** REMINDER_CHANNEL: where reminders about secrets the bot did not mint go. */
  channel: string;
  logger: Logger;
  /** ADH calls in flight at once (pages and secret lists together). */
  concurrency: number;
  /** Clients per page: ADH's assumed maximum, so 10,000 clients cost 10 calls. */
  pageSize: number;
  /** Aborting stops launching calls; the run then ends as incomplete (nothing untracked). */
  signal?: AbortSignal;
}

export interface TenantSyncResult {
  clients: number;
  secrets: number;
  /** ADH calls made (pages + secret lists), not counting the ADH client's own retries. */
  calls: number;
  /** Secrets no longer in ADH that stopped being tracked. */
  untracked: number;
  /** False when the client listing changed while paging: clients were not untracked this time. */
  listingStable: boolean;
  ms: number;
}

export class TenantSyncError extends Error {
  constructor(
    message: string,
    readonly calls: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TenantSyncError";
  }
}

/** Tracked-secret upserts are written in pipelined batches of this size. */
const WRITE_BATCH = 500;
/** ADH's documented default page size. */
const DEFAULT_PAGE = 100;

const statusOf = (err: unknown): number | undefined =>
  typeof err === "object" && err !== null && "status" in err && typeof err.status === "number"
    ? err.status
    : undefined;

const describe = (err: unknown): string =>
  err instanceof Error ? err.message : `unexpected failure: ${String(err)}`;

/** Runs one full sync. Throws TenantSyncError (having untracked nothing) when it fails. */
export async function syncTenant(o: TenantSyncOptions): Promise<TenantSyncResult> {
  const startedAt = performance.now();
  // Secrets first tracked after this (minted while we page) are never taken for deleted.
  const trackedBefore = await o.store.serverTime();
  const pool = new TaskPool(o.concurrency);
  // clientId → the secret ids ADH listed for it.
  const seen = new Map<string, Set<number>>();
  let calls = 0;
  let secrets = 0;
  let failure: unknown;
  let listingStable = true;

  const fail = (err: unknown) => {
    failure ??= err;
  };
  const stopped = () => failure !== undefined || o.signal?.aborted === true;

  // Writes overlap the ADH calls; one batch in flight at a time keeps them in order.
  let buffer: TrackInput[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    writing = writing.then(() => o.store.trackMany(batch)).catch(fail);
  };

  const syncClient = async (client: { Id: string; Name?: string }) => {
    if (stopped()) return;
    calls++;
    let list: Awaited<ReturnType<SecretSource["listSecrets"]>>;
    try {
      list = await o.source.listSecrets(client.Id);
    } catch (err) {
      // Deleted between the listing and now: absent, which the deletion pass handles.
      if (statusOf(err) === 404) {
        seen.delete(client.Id);
        return;
      }
      fail(err);
      return;
    }
    const ids = seen.get(client.Id);
    for (const s of list) {
      ids?.add(s.Id);
      secrets++;
      let expiration: number | null;
      try {
        expiration = expirationSeconds(s);
      } catch (err) {
        // One odd date must not block every deletion forever: keep what was tracked.
        o.logger.warn(
          { clientId: client.Id, secretId: s.Id, err: describe(err) },
          "secret skipped",
        );
        continue;
      }
      buffer.push({
        clientId: client.Id,
        secretId: s.Id,
        clientName: client.Name ?? "",
        description: s.Description ?? "",
        expiration,
        channel: o.channel,
        source: "tenant",
      });
    }
    if (buffer.length >= WRITE_BATCH) flush();
  };

  // Pages go through the same pool as the secret lists, so the in-flight count never
  // passes the limit. The next page is requested as soon as this one arrives — ahead of
  // this page's clients in the queue — so it is there before the workers run dry, and
  // the queue never holds more than about two pages of clients.
  type PageResult =
    | { ok: true; page: Awaited<ReturnType<SecretSource["listHybridClientsPage"]>> }
    | { ok: false; err: unknown };
  let pageSize = o.pageSize;
  const fetchPage = (skip: number): Promise<PageResult> =>
    pool
      .run(() => {
        calls++;
        return o.source.listHybridClientsPage(skip, pageSize);
      })
      .then(
        (page) => ({ ok: true as const, page }),
        (err: unknown) => ({ ok: false as const, err }),
      );

  const started: Promise<void>[] = [];
  let skip = 0;
  let firstTotal: number | undefined;
  let lastTotal = 0;
  let listed = 0;
  let next: Promise<PageResult> | undefined = fetchPage(0);
  while (next && !stopped()) {
    const result: PageResult = await next;
    next = undefined;
    if (!result.ok) {
      // ADH's largest page is not documented (1000 is assumed): if it refuses ours,
      // fall back to its documented default of 100 rather than never syncing.
      if (statusOf(result.err) === 400 && pageSize > DEFAULT_PAGE) {
        o.logger.warn(
          { pageSize, err: describe(result.err) },
          "ADH refused the page size; using 100",
        );
        pageSize = DEFAULT_PAGE;
        next = fetchPage(skip);
        continue;
      }
      fail(result.err);
      break;
    }
    const { page } = result;
    firstTotal ??= page.total;
    lastTotal = page.total;
    if (page.total !== firstTotal) listingStable = false;
    // Advance by what came back, not by what was asked for: a server that caps pages
    // lower than pageSize is still read completely.
    skip += page.items.length;
    if (page.items.length === 0 && skip < page.total) {
      listingStable = false; // Total-Count promised more than the pages hold
    } else if (skip < page.total) {
      next = fetchPage(skip);
    }
    for (const client of page.items) {
      if (seen.has(client.Id)) continue; // shifted into this page again by a deletion
      listed++;
      seen.set(client.Id, new Set());
      started.push(pool.run(() => syncClient(client).catch(fail)));
    }
  }
  // Stopped with a page still coming: wait for it so nothing outlives the sync.
  await next;
  await Promise.all(started);
  flush();
  await writing;

  if (failure !== undefined || o.signal?.aborted) {
    const why = failure === undefined ? "stopped" : describe(failure);
    throw new TenantSyncError(
      `Tenant sync did not complete after ${calls} ADH calls; the tracked secrets were kept and the sync is retried on the next tick. ${why}`,
      calls,
      { cause: failure },
    );
  }
  if (listed < lastTotal) listingStable = false;

  const untracked = await untrackDeleted(o.store, seen, listingStable, trackedBefore);
  const result = {
    clients: seen.size,
    secrets,
    calls,
    untracked,
    listingStable,
    ms: Math.round(performance.now() - startedAt),
  };
  o.logger.info(
    { ...result, maxInFlight: pool.maxInFlight },
    listingStable
      ? "tenant sync complete"
      : "tenant sync complete, but the client list changed while paging: no client was untracked this time",
  );
  return result;
}

/** Untracks what the complete sync did not find (and was tracked before it started). */
async function untrackDeleted(
  store: TrackedSecretStore,
  seen: Map<string, Set<number>>,
  listingStable: boolean,
  trackedBefore: number,
): Promise<number> {
  const tracked = await store.trackedSecretIds(await store.trackedClientIds());
  const gone: SecretRef[] = [];
  for (const [clientId, ids] of tracked) {
    const live = seen.get(clientId);
    if (live === undefined && !listingStable) continue;
    for (const secretId of ids) {
      if (!live?.has(secretId)) gone.push({ clientId, secretId });
    }
  }
  return gone.length === 0 ? 0 : store.untrackMany(gone, trackedBefore);
}

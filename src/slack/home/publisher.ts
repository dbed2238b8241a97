// Publishes each person's Home tab: on app_home_opened, and after every change that
// concerns them (the requester, and approvers who opened Home). Refreshes are coalesced
// per person: a burst of changes publishes once, showing the state after the burst.
// A person who never opened Home gets no publish call.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { type HybridClientRequest, TERMINAL_STATUSES } from "../../requests/model.js";
import type { HomePeopleStore } from "../../store/home-people.js";
import type { RequestStore, StoredRequest } from "../../store/request-store.js";
import { buildHomeView, type ExpiringSecret, type HomeModel, SHOWN } from "./view.js";

/** Pending requests read per publish: enough to fill the list after skipping own and voted. */
const PENDING_READ = SHOWN.waiting * 4;
const ADMIN_CHECK_REUSE_MS = 5 * 60_000;

export interface HomePublisherOptions {
  client: WebClient;
  store: RequestStore;
  people: HomePeopleStore;
  mayDecide(userId: string): Promise<boolean>;
  /** Tenant Administrator in ADH (the requester check). */
  isAdmin(userId: string): Promise<boolean>;
  /** Tracked secrets expiring within 30 days, soonest first. */
  expiringSoon(nowMs: number): Promise<ExpiringSecret[]>;
  allowSelfApproval: boolean;
  logger: Logger;
  now: () => number;
  coalesceMs?: number;
}

export class HomePublisher {
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly admins = new Map<string, { admin: boolean; at: number }>();

  constructor(private readonly o: HomePublisherOptions) {}

  /** app_home_opened: remember the opener, then publish at once. */
  async opened(userId: string): Promise<void> {
    await this.o.people.opened(userId);
    await this.publish(userId);
  }

  /** After a stored change: refresh the Home of everyone it concerns. */
  changed(request: HybridClientRequest): void {
    this.track(
      (async () => {
        if (TERMINAL_STATUSES.includes(request.status)) {
          await this.o.people.recordFinished(request.requesterId, request.id);
        }
        this.refresh(request.requesterId);
        for (const userId of await this.o.people.openers()) {
          if (userId !== request.requesterId && (await this.o.mayDecide(userId))) {
            this.refresh(userId);
          }
        }
      })(),
    );
  }

  /** Publishes this person's Home soon, once for however many changes arrive meanwhile. */
  refresh(userId: string): void {
    if (this.scheduled.has(userId)) return;
    const timer = setTimeout(() => {
      this.scheduled.delete(userId);
      this.track(this.publishIfOpened(userId));
    }, this.o.coalesceMs ?? 250);
    timer.unref(); // a pending refresh must not keep a stopping process alive
    this.scheduled.set(userId, timer);
  }

  async publish(userId: string): Promise<void> {
    const view = buildHomeView(await this.modelFor(userId));
    await this.o.client.views.publish({ user_id: userId, view });
  }

  /** Refreshes waiting to run and publishes in flight (shutdown and tests). */
  get busy(): number {
    return this.scheduled.size + this.inFlight.size;
  }

  async stop(): Promise<void> {
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private async publishIfOpened(userId: string): Promise<void> {
    if (await this.o.people.hasOpened(userId)) await this.publish(userId);
  }

  async modelFor(userId: string): Promise<HomeModel> {
    const [approver, admin, open, finished] = await Promise.all([
      this.o.mayDecide(userId),
      this.isAdmin(userId),
      this.o.store.openRequestsOf(userId),
      this.o.people.finishedOf(userId).then((ids) => this.read(ids)),
    ]);
    const model: HomeModel = { mine: { open, finished } };
    if (approver) model.waiting = await this.waitingFor(userId);
    if (admin) {
      const secrets = await this.o.expiringSoon(this.o.now());
      model.expiring = { secrets: secrets.slice(0, SHOWN.expiring), total: secrets.length };
    }
    return model;
  }

  /** Pending requests this approver may still vote on, soonest to expire first. */
  private async waitingFor(userId: string): Promise<NonNullable<HomeModel["waiting"]>> {
    const { ids, total } = await this.o.store.pendingIds(PENDING_READ);
    const read = await this.read(ids);
    const open = read.filter(
      (r) =>
        r.status === "pending" &&
        !r.approvals.some((a) => a.userId === userId) &&
        (this.o.allowSelfApproval || r.requesterId !== userId),
    );
    // Those past the read are counted as waiting: an estimate that never hides any.
    return { requests: open, total: open.length + Math.max(0, total - ids.length) };
  }

  private async read(ids: readonly string[]): Promise<HybridClientRequest[]> {
    const found = await Promise.all(ids.map((id) => this.o.store.get(id)));
    return found.filter((s): s is StoredRequest => s !== null).map((s) => s.request);
  }

  private async isAdmin(userId: string): Promise<boolean> {
    const cached = this.admins.get(userId);
    if (cached && this.o.now() - cached.at < ADMIN_CHECK_REUSE_MS) return cached.admin;
    const admin = await this.o.isAdmin(userId).catch(() => false);
    this.admins.set(userId, { admin, at: this.o.now() });
    return admin;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.o.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "Home not published",
      );
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

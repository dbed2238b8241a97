// Who a Slack user is (their email, for the ADH lookup) and whether they may decide.
// User group membership comes from usergroups.users.list (tier 2, ~20/min), so it is
// cached; a miss on a fresh cache refreshes it at most once per refresh interval.
import type { WebClient } from "@slack/web-api";
import type { SlackPeoplePort } from "../requests/ports.js";

export interface SlackPeopleOptions {
  client: WebClient;
  approverUsers: string[];
  approverGroups: string[];
  cacheMs?: number;
  now?: () => number;
}

export class SlackPeople implements SlackPeoplePort {
  private readonly emails = new Map<string, { email: string | null; at: number }>();
  private groupMembers: { users: Set<string>; at: number } | null = null;
  private groupRefresh: Promise<Set<string>> | null = null;
  private readonly client: WebClient;
  private readonly approverUsers: readonly string[];
  private readonly approverGroups: readonly string[];
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(options: SlackPeopleOptions) {
    this.client = options.client;
    this.approverUsers = options.approverUsers;
    this.approverGroups = options.approverGroups;
    this.cacheMs = options.cacheMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  async emailOf(slackUserId: string): Promise<string | null> {
    const cached = this.emails.get(slackUserId);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.email;
    const res = await this.client.users.info({ user: slackUserId });
    const email = res.user?.deleted ? null : (res.user?.profile?.email ?? null);
    this.emails.set(slackUserId, { email, at: this.now() });
    return email;
  }

  async isApprover(slackUserId: string): Promise<boolean> {
    if (this.approverUsers.includes(slackUserId)) return true;
    if (this.approverGroups.length === 0) return false;
    const fresh = this.groupMembers && this.now() - this.groupMembers.at < this.cacheMs;
    if (fresh && this.groupMembers?.users.has(slackUserId)) return true;
    // A member just added to a group should not wait out the cache; a stranger
    // must not make us hammer a tier-2 method, so refreshes are shared and spaced.
    const ageMs = this.groupMembers ? this.now() - this.groupMembers.at : Number.POSITIVE_INFINITY;
    if (fresh && ageMs < 30_000) return false;
    const members = await this.refreshGroups();
    return members.has(slackUserId);
  }

  /** Members of every approver group, fetched once for concurrent callers. */
  private refreshGroups(): Promise<Set<string>> {
    this.groupRefresh ??= (async () => {
      try {
        const users = new Set<string>();
        for (const usergroup of this.approverGroups) {
          const res = await this.client.usergroups.users.list({ usergroup });
          for (const id of res.users ?? []) users.add(id);
        }
        this.groupMembers = { users, at: this.now() };
        return users;
      } finally {
        this.groupRefresh = null;
      }
    })();
    return this.groupRefresh;
  }
}

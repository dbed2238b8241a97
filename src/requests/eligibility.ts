// May this Slack user ask for hybrid clients? They must map (by email) to an ADH user
// who holds Tenant Administrator. Expected failures are values, never exceptions.
import { isRedisUnavailable } from "../store/redis.js";
import { describeError, type RequestEngine } from "./engine.js";
import type { RequesterCheck } from "./outcomes.js";
import type { AdhPort, SlackPeoplePort, UserDirectoryPort } from "./ports.js";

/** How long a positive answer is reused when a form opens (submit checks again). */
const FORM_CHECK_REUSE_MS = 60_000;
/**
 * How long a refusal (not an administrator, no ADH user) is reused: someone repeating
 * `add` costs one ADH role lookup a minute. Only refusals are reused here, so a role
 * removed in ADH is never missed; a role granted shows after at most a minute.
 */
export const REFUSAL_REUSE_MS = 60_000;

export class Eligibility {
  private readonly adminChecks = new Map<string, number>();
  private readonly refusals = new Map<string, { at: number; check: RequesterCheck }>();

  constructor(
    private readonly engine: RequestEngine,
    private readonly ports: {
      adh: Pick<AdhPort, "isTenantAdministrator">;
      directory: UserDirectoryPort;
      people: SlackPeoplePort;
    },
  ) {}

  /**
   * Is this Slack user a Tenant Administrator in ADH? Never answered from a positive cache;
   * a refusal is reused for REFUSAL_REUSE_MS.
   */
  async check(slackUserId: string): Promise<RequesterCheck> {
    const refused = this.refusals.get(slackUserId);
    if (refused && this.engine.now() - refused.at < REFUSAL_REUSE_MS) return refused.check;
    const check = await this.lookUp(slackUserId);
    if (!check.ok && (check.code === "not-admin" || check.code === "unknown-user")) {
      this.refusals.set(slackUserId, { at: this.engine.now(), check });
      if (this.refusals.size > 10_000) this.refusals.clear();
    } else this.refusals.delete(slackUserId);
    return check;
  }

  private async lookUp(slackUserId: string): Promise<RequesterCheck> {
    try {
      const email = await this.ports.people.emailOf(slackUserId);
      if (!email) return { ok: false, code: "no-email" };
      const user = await this.ports.directory.findUserByEmail(email);
      if (!user) return { ok: false, code: "unknown-user", email };
      if (!(await this.ports.adh.isTenantAdministrator(user.id))) {
        return { ok: false, code: "not-admin" };
      }
      return { ok: true, adhUserId: user.id };
    } catch (error) {
      // Redis failing (the user directory's cache) is not ADH failing: let the caller say
      // "storage temporarily unavailable, nothing was lost".
      if (isRedisUnavailable(error)) throw error;
      this.engine.logger.warn({ err: describeError(error), slackUserId }, "requester check failed");
      return { ok: false, code: "adh-unavailable", detail: describeError(error) };
    }
  }

  /**
   * The check made when a form opens: a positive answer is reused for a minute, since the
   * role is checked again on submit and again before anything is created.
   */
  async checkForForm(slackUserId: string): Promise<RequesterCheck> {
    const checkedAt = this.adminChecks.get(slackUserId);
    const now = this.engine.now();
    if (checkedAt !== undefined && now - checkedAt < FORM_CHECK_REUSE_MS) return { ok: true };
    const check = await this.check(slackUserId);
    if (check.ok) this.adminChecks.set(slackUserId, this.engine.now());
    else this.adminChecks.delete(slackUserId);
    return check;
  }

  /** May this Slack user approve, deny or retry? */
  mayDecide(slackUserId: string): Promise<boolean> {
    return this.ports.people.isApprover(slackUserId);
  }
}

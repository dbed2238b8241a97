// The request use cases wired over one engine: what the Slack journeys and the timers
// call. Each method is one line into its use case's file; the logic lives there.
import type { Logger } from "pino";
import type { AuditTrail } from "../store/audit-stream.js";
import type { RequestStore } from "../store/request-store.js";
import type { RetirementStore } from "../store/retirements.js";
import { Announcer } from "./announce.js";
import { Apply } from "./apply.js";
import { AuditRead, type AuditReadOutcome } from "./audit-read.js";
import { Decide } from "./decide.js";
import { Eligibility } from "./eligibility.js";
import { RequestEngine } from "./engine.js";
import { Escalation, type EscalationPolicy } from "./escalation.js";
import { LifecycleForms } from "./lifecycle-forms.js";
import type {
  FormDraft,
  HybridClientRequest,
  RequestDraft,
  SecretDetails,
  SecretTarget,
} from "./model.js";
import type {
  ClickOutcome,
  RequesterCheck,
  RevealOutcome,
  RotationCheck,
  SubmitOutcome,
} from "./outcomes.js";
import { PORTAL_POLICY, type Policy } from "./policy.js";
import type {
  AdhPort,
  NotifierPort,
  ReminderChannelPort,
  SecretTrackerPort,
  SlackPeoplePort,
  UnrevealedPort,
  UserDirectoryPort,
} from "./ports.js";
import { tellRequesterEveryOutcome } from "./requester-news.js";
import { Retire, type RetireOutcome, replaceChoices } from "./retire.js";
import { Reveal } from "./reveal.js";
import { Submit } from "./submit.js";

export interface WorkflowOptions {
  store: RequestStore;
  adh: AdhPort;
  directory: UserDirectoryPort;
  people: SlackPeoplePort;
  notifier: NotifierPort;
  tracker: SecretTrackerPort;
  logger: Logger;
  approvalsRequired: number;
  allowSelfApproval: boolean;
  requestTtlMs: number;
  /** Checks a new client's Reminder channel at submit; unset: not checked. */
  channels?: ReminderChannelPort;
  /** Created requests not yet revealed, for `status`; unset: not kept. */
  unrevealed?: UnrevealedPort;
  /** Open requests one person may have; unset: no cap. */
  maxOpenRequestsPerUser?: number;
  /** How long a `creating` request is left to the replica that started it. */
  createLeaseMs?: number;
  now?: () => number;
  /** Observes every audit event (metrics). */
  onEvent?: (event: string) => void;
  /** ESCALATION_APPROVERS and when they may decide; none: only approvers decide. */
  escalation?: EscalationPolicy;
  /** Tenant policy (MAX_SECRET_DAYS, NEVER_EXPIRES, redirect rules); the portal's when unset. */
  policy?: Policy;
  /** The audit stream, for events that are not transitions (and `/hybrid-client audit`). */
  trail?: AuditTrail;
  /** Delete old secret's claims and reminders; without it they are neither claimed nor sent. */
  retirements?: RetirementStore;
}

export class RequestWorkflow {
  readonly engine: RequestEngine;
  readonly eligibility: Eligibility;
  readonly submission: Submit;
  readonly decisions: Decide;
  readonly applier: Apply;
  readonly reveals: Reveal;
  readonly escalation: Escalation;
  /** Edit, disable, enable, delete a client, delete a secret (issue 11). */
  readonly lifecycle: LifecycleForms;
  readonly policy: Policy;
  readonly auditRead: AuditRead;
  private readonly unrevealed: UnrevealedPort | undefined;
  /** Rotation that retires the old secret (issue 11 item 5). */
  readonly retire: Retire;
  private readonly retireAdh: AdhPort;

  constructor(options: WorkflowOptions) {
    const { adh, notifier } = options;
    this.unrevealed = options.unrevealed;
    this.engine = new RequestEngine({
      store: options.store,
      logger: options.logger,
      now: options.now ?? Date.now,
      onEvent: options.onEvent,
      trail: options.trail,
    });
    this.policy = options.policy ?? PORTAL_POLICY;
    const announcer = new Announcer(this.engine, notifier);
    this.eligibility = new Eligibility(this.engine, options);
    this.submission = new Submit(
      this.engine,
      this.eligibility,
      { adh, notifier, channels: options.channels },
      options,
    );
    this.applier = new Apply(this.engine, this.eligibility, announcer, options, {
      createLeaseMs: options.createLeaseMs ?? 60_000,
      policy: this.policy,
    });
    this.escalation = new Escalation(this.engine, this.eligibility, options.escalation);
    this.decisions = new Decide(
      this.engine,
      this.eligibility,
      announcer,
      this.applier,
      options,
      this.escalation,
    );
    this.retireAdh = adh;
    this.retire = new Retire(this.engine, options, options.retirements);
    this.reveals = new Reveal(this.engine, options, this.eligibility, this.retire);
    tellRequesterEveryOutcome(this.engine, notifier);
    this.lifecycle = new LifecycleForms(this.engine, this.submission, adh);
    this.auditRead = new AuditRead(this.engine, this.eligibility);
  }

  checkRequester(slackUserId: string): Promise<RequesterCheck> {
    return this.eligibility.check(slackUserId);
  }
  checkRequesterForForm(slackUserId: string): Promise<RequesterCheck> {
    return this.eligibility.checkForForm(slackUserId);
  }
  mayDecide(slackUserId: string): Promise<boolean> {
    return this.eligibility.mayDecide(slackUserId);
  }

  /** mayDecide, plus escalation approvers once this request has escalated. */
  mayDecideOn(requestId: string, slackUserId: string): Promise<boolean> {
    return this.escalation.mayDecideOn(requestId, slackUserId);
  }

  submit(draft: RequestDraft): Promise<SubmitOutcome> {
    return this.submission.submit(draft);
  }
  saveDraft(key: string, draft: FormDraft): Promise<void> {
    return this.submission.saveDraft(key, draft);
  }
  submitDraft(
    key: string,
    userId: string,
    secret: SecretDetails,
    replaceSecretId?: number,
  ): Promise<SubmitOutcome> {
    return this.submission.submitDraft(key, userId, secret, replaceSecretId);
  }
  prepareRotation(clientId: string): Promise<RotationCheck> {
    return this.submission.prepareRotation(clientId);
  }

  approve(requestId: string, approverId: string): Promise<ClickOutcome> {
    return this.decisions.approve(requestId, approverId);
  }
  deny(requestId: string, userId: string, reason: string): Promise<ClickOutcome> {
    return this.decisions.deny(requestId, userId, reason);
  }
  cancel(requestId: string, userId: string): Promise<ClickOutcome> {
    return this.decisions.cancel(requestId, userId);
  }
  retry(requestId: string, userId: string): Promise<ClickOutcome> {
    return this.decisions.retry(requestId, userId);
  }
  expireDue(): Promise<number> {
    return this.decisions.expireDue();
  }

  reconcile(): Promise<number> {
    return this.applier.reconcile();
  }

  reveal(requestId: string, userId: string): Promise<RevealOutcome> {
    return this.reveals.reveal(requestId, userId);
  }
  revokeUndelivered(requestId: string, userId: string, secretId: number): Promise<void> {
    return this.reveals.revokeUndelivered(requestId, userId, secretId);
  }

  recentAudit(userId: string, clientId?: string): Promise<AuditReadOutcome> {
    return this.auditRead.latest(userId, clientId);
  }

  /** The Replace secret select's choices: the client's current secrets. */
  replaceChoices(clientId: string): Promise<SecretTarget[]> {
    return replaceChoices(this.retireAdh, clientId);
  }
  deleteOldSecret(requestId: string, userId: string): Promise<RetireOutcome> {
    return this.retire.deleteOld(requestId, userId);
  }
  remindRetirements(): Promise<number> {
    return this.retire.remindDue();
  }

  openRequestsOf(userId: string): Promise<HybridClientRequest[]> {
    return this.engine.store.openRequestsOf(userId);
  }
  /** The requester's created requests whose secret is not revealed yet. */
  async unrevealedOf(userId: string): Promise<HybridClientRequest[]> {
    const ids = (await this.unrevealed?.of(userId, this.engine.now())) ?? [];
    const found = await Promise.all(ids.map((id) => this.engine.store.get(id)));
    return found
      .map((s) => s?.request)
      .filter((r): r is HybridClientRequest => r?.status === "created" && r.reveal !== "revealed");
  }

  /** Background work still running. */
  get busy(): number {
    return this.engine.busy;
  }

  /** Graceful shutdown: waits for background applies, bounded by timeoutMs. */
  drain(timeoutMs = 10_000): Promise<boolean> {
    return this.engine.drain(timeoutMs);
  }
}

// The narrow ports the reminders engine talks through: where secrets come from (ADH)
// and where reminders go (Slack). Tests implement them with the fake ADH and a recorder.

export interface SecretSource {
  /** One page of the tenant's hybrid clients and the tenant's Total-Count. */
  listHybridClientsPage(
    skip: number,
    count: number,
  ): Promise<{ items: { Id: string; Name?: string }[]; total: number }>;
  /** All secrets of one client (at most 10). A deleted client throws with `status: 404`. */
  listSecrets(clientId: string): Promise<
    {
      Id: number;
      Description?: string;
      Expiration: string | null;
      Expires: boolean;
    }[]
  >;
}

/** Who told the team: the bot minted the secret, or the tenant sync found it. */
export type TrackedSource = "bot" | "tenant";

/** A reminder the scan decided to send: one (secret, threshold). */
export interface DueReminder {
  clientId: string;
  clientName: string;
  secretId: number;
  description: string;
  /** Epoch seconds. */
  expiration: number;
  channel: string;
  /** The REMINDER_DAYS threshold this reminder is for (0: expired). */
  threshold: number;
  /** Fractional days left when the reminder was decided; ≤ 0 once expired. */
  daysLeft: number;
  source: TrackedSource;
}

/** A secret that never expires: reported once, as a finding. */
export interface NeverExpiresFinding {
  clientId: string;
  clientName: string;
  secretId: number;
  description: string;
  channel: string;
  source: TrackedSource;
}

export interface ReminderNotifier {
  /** chat.postMessage of buildReminderMessage(...) to channel; throws on failure (then the reminder is retried next scan). */
  postReminder(channel: string, reminder: DueReminder): Promise<void>;
  postNeverExpiresFinding(channel: string, finding: NeverExpiresFinding): Promise<void>;
}

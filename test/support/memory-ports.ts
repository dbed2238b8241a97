// In-memory ADH and notifier ports for use-case tests on real Redis: an ADH that can fail,
// or apply a call and then fail, at will (and hold a call at a gate to line up a race),
// and a notifier that records what Slack would have shown.
import type {
  CreateHybridClientInput,
  CreateHybridClientResult,
  HybridClientPatch,
} from "../../src/adh/client.js";
import { AdhError } from "../../src/adh/errors.js";
import type { ClientSecret, HybridClient } from "../../src/adh/schemas.js";
import type { HybridClientRequest, MessageRef } from "../../src/requests/model.js";
import type { AdhPort, NotifierPort, RequesterEvent } from "../../src/requests/ports.js";

export type Fault = "ok" | "fail" | "apply-then-fail";

/** A gate a test can hold an ADH call at, to line up a race exactly. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  reached!: () => void;
  readonly arrived = new Promise<void>((resolve) => {
    this.reached = resolve;
  });
  open(): void {
    this.release();
  }
}

export class MemoryAdh implements AdhPort {
  readonly clients = new Map<string, { client: HybridClient; secrets: Map<number, string> }>();
  /** Most creates / mints ever running at once for one client. */
  maxCreatesAtOnce = 0;
  maxMintsAtOnce = 0;
  /** addSecret calls: each one is a claimed reveal. */
  mintCalls = 0;
  /** Per route, a gate the next call waits at. */
  readonly gates = new Map<string, Gate>();
  private readonly running = {
    creates: new Map<string, number>(),
    mints: new Map<string, number>(),
  };
  private nextSecretId = 1;
  private inFlight = 0;

  constructor(
    private readonly faultOf: () => Fault = () => "ok",
    private readonly pause: () => Promise<void> = () => Promise.resolve(),
  ) {}

  get idle(): boolean {
    return this.inFlight === 0;
  }

  private async call<T>(route: string, work: (fault: Fault) => T): Promise<T> {
    this.inFlight++;
    try {
      await this.pause();
      const gate = this.gates.get(route);
      if (gate) {
        this.gates.delete(route);
        gate.reached();
        await gate.opened;
      }
      const fault = this.faultOf();
      if (fault === "fail") throw failure(route, 500);
      const result = work(fault);
      if (fault === "apply-then-fail") throw failure(route, 500);
      return result;
    } finally {
      this.inFlight--;
    }
  }

  private async counted<T>(
    kind: "creates" | "mints",
    clientId: string,
    work: () => Promise<T>,
  ): Promise<T> {
    const running = this.running[kind];
    running.set(clientId, (running.get(clientId) ?? 0) + 1);
    const now = running.get(clientId)!;
    if (kind === "creates") this.maxCreatesAtOnce = Math.max(this.maxCreatesAtOnce, now);
    else this.maxMintsAtOnce = Math.max(this.maxMintsAtOnce, now);
    try {
      return await work();
    } finally {
      running.set(clientId, running.get(clientId)! - 1);
    }
  }

  createHybridClient(input: CreateHybridClientInput): Promise<CreateHybridClientResult> {
    return this.counted("creates", input.Id, () =>
      this.call("POST /HybridClients", () => {
        if (this.clients.has(input.Id)) throw failure("POST /HybridClients", 409);
        const client: HybridClient = {
          Id: input.Id,
          Name: input.Name,
          RedirectUris: input.RedirectUris,
          PostLogoutRedirectUris: input.PostLogoutRedirectUris,
          AccessTokenLifetime: input.AccessTokenLifetime,
          AllowOfflineAccess: input.AllowOfflineAccess,
        };
        const id = this.nextSecretId++;
        const value = `initial-${id}`;
        this.clients.set(input.Id, { client, secrets: new Map([[id, value]]) });
        return { client, initialSecret: { id, value }, existed: false };
      }),
    );
  }

  getHybridClient(clientId: string): Promise<HybridClient | null> {
    return this.call("GET /HybridClients/:id", () => this.clients.get(clientId)?.client ?? null);
  }

  listSecrets(clientId: string): Promise<ClientSecret[]> {
    return this.call("GET /HybridClients/:id/Secrets", () =>
      [...(this.clients.get(clientId)?.secrets.keys() ?? [])].map((Id) => ({
        Id,
        Expiration: this.secretMeta.get(Id)?.Expiration ?? null,
        Expires: (this.secretMeta.get(Id)?.Expiration ?? null) !== null,
        ...(this.secretMeta.has(Id) ? { Description: this.secretMeta.get(Id)?.Description } : {}),
      })),
    );
  }

  /** Description and expiration each minted secret was asked for. */
  readonly secretMeta = new Map<number, { Description: string; Expiration: string | null }>();

  addSecret(
    clientId: string,
    input?: { Description: string; Expiration: string | null },
  ): Promise<{ secret: ClientSecret; value: string }> {
    this.mintCalls++;
    return this.counted("mints", clientId, () =>
      this.call("POST /HybridClients/:id/Secrets", () => {
        const stored = this.clients.get(clientId);
        if (!stored) throw failure("POST /HybridClients/:id/Secrets", 404);
        const Id = this.nextSecretId++;
        const value = `secret-${Id}`;
        stored.secrets.set(Id, value);
        if (input) this.secretMeta.set(Id, input);
        const Expiration = input?.Expiration ?? null;
        return { secret: { Id, Expiration, Expires: Expiration !== null }, value };
      }),
    );
  }

  deleteSecret(clientId: string, secretId: number): Promise<void> {
    return this.call("DELETE /HybridClients/:id/Secrets/:sid", () => {
      this.clients.get(clientId)?.secrets.delete(secretId);
    });
  }

  updateHybridClient(clientId: string, patch: HybridClientPatch): Promise<HybridClient> {
    return this.call("PUT /HybridClients/:id", () => {
      const stored = this.clients.get(clientId);
      if (!stored) throw failure("PUT /HybridClients/:id", 404);
      // Unset fields stay unchanged, as in ADH.
      const defined = Object.entries(patch).filter(([, v]) => v !== undefined && v !== null);
      stored.client = { ...stored.client, ...Object.fromEntries(defined) };
      return stored.client;
    });
  }

  deleteHybridClient(clientId: string): Promise<void> {
    return this.call("DELETE /HybridClients/:id", () => {
      // Gone already counts as deleted (the real client passes a 404 through).
      this.clients.delete(clientId);
    });
  }

  isTenantAdministrator(): Promise<boolean> {
    return this.call("GET /Users/:id/Roles", () => true);
  }
}

export function failure(route: string, status: number): AdhError {
  return new AdhError({ route, status, operationId: `op-${status}` });
}

/** Records what Slack would have shown; `failCreatedDm` makes the next "created" DMs fail. */
export class MemoryNotifier implements NotifierPort {
  readonly createdDms: string[] = [];
  readonly told: { id: string; event: RequesterEvent }[] = [];
  /** What the approvals message shows now, per request: the status it was last rendered with. */
  readonly approvalShows = new Map<string, string>();
  /** The next approvals-message update waits here (a 429 pause, a slow network). */
  approvalGate: Gate | undefined;
  failCreatedDm = 0;
  failTell = 0;
  private ts = 1;

  async postApproval(request: HybridClientRequest): Promise<MessageRef> {
    this.approvalShows.set(request.id, request.status);
    return { channel: "C0APPROVE1", ts: String(this.ts++) };
  }
  async updateApproval(request: HybridClientRequest): Promise<void> {
    const gate = this.approvalGate;
    if (gate) {
      this.approvalGate = undefined;
      gate.reached();
      await gate.opened;
    }
    this.approvalShows.set(request.id, request.status);
  }
  async tellRequester(request: HybridClientRequest, event: RequesterEvent): Promise<void> {
    if (this.failTell > 0) {
      this.failTell--;
      throw new Error("An API error occurred: ratelimited");
    }
    this.told.push({ id: request.id, event });
  }
  async sendCreatedDm(request: HybridClientRequest): Promise<MessageRef> {
    if (this.failCreatedDm > 0) {
      this.failCreatedDm--;
      throw new Error("An API error occurred: ratelimited");
    }
    this.createdDms.push(request.id);
    return { channel: "D0DM000001", ts: String(this.ts++) };
  }
  async updateDm(): Promise<void> {}
}

// `/hybrid-client list`: the tenant's hybrid clients with their secrets, read from ADH
// (all clients, 1,000 per page, then each client's secrets with bounded concurrency) and
// served through a cache shared by every replica, so the tenant is read at most once a
// minute however many people ask.
import type { ClientSecret, HybridClient } from "../adh/schemas.js";
import { TaskPool } from "../task-pool.js";

export interface CatalogSource {
  listHybridClientsPage(
    skip: number,
    count: number,
  ): Promise<{ items: HybridClient[]; total: number }>;
  listSecrets(clientId: string): Promise<ClientSecret[]>;
}

export interface CatalogEntry {
  id: string;
  name: string;
  secrets: { id: number; description: string; expiration: string | null }[];
}

export interface CatalogList {
  entries: CatalogEntry[];
  /** How many clients the tenant holds (ADH's count), even when fewer were read. */
  total: number;
}

/** Where a loaded list is kept for the next minute (src/store/list-cache.ts in the bot). */
export interface CatalogCache {
  get(load: () => Promise<CatalogList>): Promise<{ at: number; value: CatalogList }>;
}

/** ADH's documented limit of hybrid clients per tenant: the most `list` ever reads. */
const TENANT_CLIENT_LIMIT = 50_000;

export class ClientCatalog {
  constructor(
    private readonly source: CatalogSource,
    private readonly options: {
      maxClients?: number;
      concurrency?: number;
      cache?: CatalogCache;
    } = {},
  ) {}

  /** The tenant's clients, from the shared cache when it is fresh. */
  async list(): Promise<CatalogList & { at?: number }> {
    const { cache } = this.options;
    if (!cache) return this.load();
    const cached = await cache.get(() => this.load());
    return { ...cached.value, at: cached.at };
  }

  /** Reads the tenant from ADH. */
  async load(): Promise<CatalogList> {
    const maxClients = this.options.maxClients ?? TENANT_CLIENT_LIMIT;
    const clients: HybridClient[] = [];
    let total = 0;
    for (let skip = 0; clients.length < maxClients; ) {
      const page = await this.source.listHybridClientsPage(
        skip,
        Math.min(1000, maxClients - clients.length),
      );
      total = page.total;
      clients.push(...page.items);
      skip += page.items.length;
      if (page.items.length === 0 || skip >= total) break;
    }
    // The tenant sync's pace: 16 in flight stays under ADH's rate limits.
    const pool = new TaskPool(this.options.concurrency ?? 16);
    const entries = await Promise.all(
      clients.map((client) =>
        pool.run(async (): Promise<CatalogEntry> => {
          const secrets = await this.source.listSecrets(client.Id);
          return {
            id: client.Id,
            name: client.Name ?? "(no name)",
            secrets: secrets.map((s) => ({
              id: s.Id,
              description: s.Description ?? "",
              expiration: s.Expiration,
            })),
          };
        }),
      ),
    );
    return { entries, total: Math.max(total, entries.length) };
  }
}

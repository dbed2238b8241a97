// `/hybrid-client list`: the tenant's hybrid clients with their secrets, read live from
// ADH. Secrets are listed per client with bounded concurrency; very large tenants are
// cut at `maxClients` (the answer says so) to keep the reply within seconds.
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

export class ClientCatalog {
  constructor(
    private readonly source: CatalogSource,
    private readonly options: { maxClients?: number; concurrency?: number } = {},
  ) {}

  async list(): Promise<{ entries: CatalogEntry[]; total: number }> {
    const maxClients = this.options.maxClients ?? 200;
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
    const pool = new TaskPool(this.options.concurrency ?? 8);
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
    return { entries, total };
  }
}

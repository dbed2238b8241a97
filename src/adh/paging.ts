// Reading ADH's paged listings (skip/count with a Total-Count header): one page, or every
// page until the listing is read.
import type { z } from "zod";
import type { AdhReply, AdhTransport } from "./transport.js";

export class PagedReader {
  constructor(private readonly transport: AdhTransport) {}

  /** One page; `total` is undefined when ADH sent no Total-Count. */
  private async pageOf<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    skip: number,
    count: number,
  ): Promise<{ items: T[]; total: number | undefined }> {
    const reply = await this.transport.send({
      route,
      method: "GET",
      path,
      query: { skip, count },
      retry: "idempotent",
    });
    return { items: this.transport.parse(schema, reply, route), total: totalCount(reply) };
  }

  async page<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    skip: number,
    count: number,
  ): Promise<{ items: T[]; total: number }> {
    const { items, total } = await this.pageOf(route, path, schema, skip, count);
    return { items, total: total ?? skip + items.length };
  }

  /** Reads pages until Total-Count items are read or a page comes back empty (or short, without Total-Count). */
  async all<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    pageSize: number,
  ): Promise<T[]> {
    const all: T[] = [];
    let skip = 0;
    for (;;) {
      const { items, total } = await this.pageOf(route, path, schema, skip, pageSize);
      all.push(...items);
      skip += items.length;
      if (items.length === 0) break;
      if (total !== undefined ? skip >= total : items.length < pageSize) break;
    }
    return all;
  }
}

function totalCount(reply: AdhReply): number | undefined {
  const raw = reply.headers["total-count"];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
}

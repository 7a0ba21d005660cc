import type { Client } from '../../api';

export type Order = 'newest' | 'oldest' | 'name';
export type StatusFilter = 'all' | 'enabled' | 'disabled';

export interface Arranged {
  rows: Client[];
  /** How many clients pass the filter, on every page. */
  total: number;
  /** The page shown (the one asked for, within 1…pages) and how many there are (at least 1). */
  page: number;
  pages: number;
}

const byCreated = (a: Client, b: Client): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The whole list filtered by status, sorted, and cut into pages of `size`; ties broken by id. */
export function arrange(
  clients: readonly Client[],
  opts: { order: Order; status: StatusFilter; page: number; size: number },
): Arranged {
  const kept = clients.filter((c) => opts.status === 'all' || c.enabled === (opts.status === 'enabled'));
  const sorted = [...kept].sort(
    opts.order === 'name'
      ? (a, b) => a.name.localeCompare(b.name) || byCreated(a, b)
      : opts.order === 'oldest'
        ? byCreated
        : (a, b) => byCreated(b, a),
  );
  const pages = Math.max(1, Math.ceil(sorted.length / opts.size));
  const page = Math.min(Math.max(1, opts.page), pages);
  return { rows: sorted.slice((page - 1) * opts.size, page * opts.size), total: sorted.length, page, pages };
}

import { DEFAULT_PAGE_SIZE } from '@app/cloud-contracts';
import type { PageTokenCodec } from './page-token';

export interface Sequenced {
  seq: number;
}

export interface PageRequest {
  pageSize?: number;
  pageToken?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/**
 * Keyset pagination over rows ordered by `seq`. `fetch(after, limit)` returns rows with seq > after
 * in order (already filtered by SQL); `keep` applies filters SQL cannot (label selectors). Rows are
 * scanned in batches until a page is full, so selective filters still give full pages.
 */
export function paginate<Row extends Sequenced>(
  codec: PageTokenCodec,
  query: PageRequest & Record<string, unknown>,
  fetch: (after: number, limit: number) => Row[],
  keep: (row: Row) => boolean = () => true,
): Page<Row> {
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  let after = codec.decode(query.pageToken, query);
  const items: Row[] = [];
  const batch = Math.max(pageSize + 1, 100);
  for (;;) {
    const rows = fetch(after, batch);
    for (const row of rows) {
      if (!keep(row)) {
        continue;
      }
      if (items.length === pageSize) {
        // One more match exists: this page is full and a next page exists.
        return { items, nextPageToken: codec.encode(items[items.length - 1].seq, query) };
      }
      items.push(row);
    }
    if (rows.length < batch) {
      return { items };
    }
    after = rows[rows.length - 1].seq;
  }
}

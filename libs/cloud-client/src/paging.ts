/** One page of a list endpoint. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export type PageFetcher<T> = (pageToken: string | undefined) => Promise<Page<T>>;

/** Every page, following `nextPageToken` until it is absent. */
export async function* pages<T>(fetchPage: PageFetcher<T>): AsyncGenerator<Page<T>> {
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(token);
    yield page;
    token = page.nextPageToken;
    if (token !== undefined) {
      if (seen.has(token)) {
        throw new Error(`paging loop: page token ${token} was returned twice`);
      }
      seen.add(token);
    }
  } while (token !== undefined);
}

/** Every item of every page, lazily: stop iterating and no further page is fetched. */
export async function* paginate<T>(fetchPage: PageFetcher<T>): AsyncGenerator<T> {
  for await (const page of pages(fetchPage)) {
    yield* page.items;
  }
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
  }
  return out;
}

/** The first item matching `predicate`, fetching only as many pages as needed. */
export async function findFirst<T>(
  items: AsyncIterable<T>,
  predicate: (item: T) => boolean = () => true,
): Promise<T | undefined> {
  for await (const item of items) {
    if (predicate(item)) {
      return item;
    }
  }
  return undefined;
}

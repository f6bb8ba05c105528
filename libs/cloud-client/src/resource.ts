import type { CloudHttp, QueryValue } from './cloud-http';

export type Query<T> = { [K in keyof T]?: T[K] };
/** List filters without the paging fields (the helpers page themselves). */
export type Filter<T> = Omit<Query<T>, 'pageToken'>;

/** Options of calls that change a resource. */
export interface MutationOptions {
  /** The resource's etag; a mismatch is a PreconditionFailedError. */
  ifMatch?: string;
  /** Overrides the generated key (e.g. to make a call idempotent across process restarts). */
  idempotencyKey?: string;
}

export const seg = (value: string): string => encodeURIComponent(value);
export const asQuery = <T extends object>(q: T | undefined): Record<string, QueryValue> => q ?? {};

export abstract class Resource {
  constructor(protected readonly http: CloudHttp) {}

  protected async read<T>(path: string, query?: object): Promise<T> {
    return (await this.http.request<T>({ method: 'GET', path, query: asQuery(query) })).body;
  }

  protected async send<T>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body: unknown,
    options: MutationOptions = {},
  ): Promise<T> {
    const res = await this.http.request<T>({
      method,
      path,
      body,
      ifMatch: options.ifMatch,
      idempotencyKey: options.idempotencyKey,
    });
    return res.body;
  }
}

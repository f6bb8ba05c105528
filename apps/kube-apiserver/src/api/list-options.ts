import type { KubeObject } from './types';
import { badRequest } from '../errors/kube-error';
import { parseFieldSelector } from '../selectors/field-selector';
import { parseLabelSelector } from '../selectors/label-selector';
import type { ResourceType } from '../registry/resource-type';

export interface ListOptions {
  namespace?: string;
  matches: (obj: KubeObject) => boolean;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  /** `Exact` asks for the list at exactly `resourceVersion` (only the current one is kept). */
  resourceVersionMatch?: string;
  watch: boolean;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
}

function positiveInt(value: string | null, name: string): number | undefined {
  if (value === null || value === '') {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw badRequest(`invalid ${name}: ${value}`);
  }
  return n;
}

const truthy = (v: string | null) => v === 'true' || v === '1';

/** Parses list/watch query parameters (selectors are validated here: bad ones are a 400). */
export function parseListOptions(
  query: URLSearchParams,
  type: ResourceType,
  namespace: string | undefined,
): ListOptions {
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, type);
  const matches =
    labels && fields
      ? (o: KubeObject) => labels(o.metadata.labels) && fields(o)
      : labels
        ? (o: KubeObject) => labels(o.metadata.labels)
        : (fields ?? (() => true));
  const resourceVersion = query.get('resourceVersion') ?? undefined;
  if (resourceVersion !== undefined && resourceVersion !== '' && !/^\d+$/.test(resourceVersion)) {
    throw badRequest(`invalid resourceVersion: ${resourceVersion}`);
  }
  const resourceVersionMatch = query.get('resourceVersionMatch') ?? undefined;
  if (resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(resourceVersionMatch)) {
    throw badRequest(
      `resourceVersionMatch: Unsupported value: "${resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  return {
    namespace,
    matches,
    limit: positiveInt(query.get('limit'), 'limit') || undefined,
    continueToken: query.get('continue') || undefined,
    resourceVersion,
    resourceVersionMatch,
    watch: truthy(query.get('watch')),
    timeoutSeconds: positiveInt(query.get('timeoutSeconds'), 'timeoutSeconds'),
    allowWatchBookmarks: truthy(query.get('allowWatchBookmarks')),
    sendInitialEvents: truthy(query.get('sendInitialEvents')),
  };
}

interface ContinueToken {
  rv: number;
  /** "<namespace>/<name>" of the last item returned. */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'nimbus/1', rv: token.rv, start: token.start })).toString(
    'base64url',
  );
}

export function decodeContinue(value: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as {
      v?: string;
      rv?: number;
      start?: string;
    };
    if (
      parsed.v !== 'nimbus/1' ||
      typeof parsed.start !== 'string' ||
      typeof parsed.rv !== 'number'
    ) {
      throw new Error('bad token');
    }
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

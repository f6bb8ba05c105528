import { KubeError } from '../errors/kube-error';
import { PROTOBUF } from '../protobuf/envelope';

/**
 * Content negotiation as the apiserver does it (handlers/negotiation/negotiate.go): Accept clauses
 * sorted by q and specificity (goautoneg), each tried against the server's media types in order
 * JSON, YAML, protobuf; `as`/`g`/`v` ask for a conversion (Table, PartialObjectMetadata[List]),
 * `stream=watch` for the watch framing.
 */

export type Serializer = 'json' | 'yaml' | 'protobuf';

export interface ConvertTarget {
  group: string;
  version: string;
  kind: string;
}

export interface OutputFormat {
  serializer: Serializer;
  /** The Content-Type answered (without `;stream=watch`). */
  mediaType: string;
  convert?: ConvertTarget;
  /** `pretty=1` in the Accept clause. */
  pretty: boolean;
  /** Whether the media type has a watch framing (JSON and protobuf do, YAML not). */
  streaming: boolean;
}

interface MediaType {
  serializer: Serializer;
  type: string;
  subType: string;
  mediaType: string;
  streaming: boolean;
}

const JSON_TYPE: MediaType = {
  serializer: 'json',
  type: 'application',
  subType: 'json',
  mediaType: 'application/json',
  streaming: true,
};
const YAML_TYPE: MediaType = {
  serializer: 'yaml',
  type: 'application',
  subType: 'yaml',
  mediaType: 'application/yaml',
  streaming: false,
};
const PROTOBUF_TYPE: MediaType = {
  serializer: 'protobuf',
  type: 'application',
  subType: 'vnd.kubernetes.protobuf',
  mediaType: PROTOBUF,
  streaming: true,
};

interface AcceptClause {
  type: string;
  subType: string;
  q: number;
  params: Record<string, string>;
}

/** Parsed Accept headers: clients send the same few on every request. */
const parsedAccepts = new Map<string, readonly AcceptClause[]>();
const PARSED_ACCEPTS_MAX = 64;

/**
 * goautoneg.ParseAccept: clauses sorted by q, then concrete types before wildcards (stable).
 * Shared between requests with the same header (read-only).
 */
export function parseAccept(header: string): readonly AcceptClause[] {
  let clauses = parsedAccepts.get(header);
  if (!clauses) {
    if (parsedAccepts.size >= PARSED_ACCEPTS_MAX) {
      parsedAccepts.clear();
    }
    clauses = parseAcceptUncached(header);
    parsedAccepts.set(header, clauses);
  }
  return clauses;
}

function parseAcceptUncached(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const part of header.split(',')) {
    const [range, ...rawParams] = part.split(';').map((s) => s.trim());
    if (!range) {
      continue;
    }
    const [type, subType = '*'] = range.split('/').map((s) => s.trim());
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      const key = (eq < 0 ? p : p.slice(0, eq)).trim();
      const value = eq < 0 ? '' : p.slice(eq + 1).trim();
      if (key === 'q') {
        q = Number(value);
        if (Number.isNaN(q)) {
          q = 0;
        }
      } else if (key) {
        params[key] = value;
      }
    }
    clauses.push({ type, subType, q, params });
  }
  const rank = (c: AcceptClause) => (c.type === '*' ? 2 : 0) + (c.subType === '*' ? 1 : 0);
  return clauses
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.q - a.c.q || rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

export interface NegotiationOptions {
  /** Whether the kind has a protobuf message (built-in kinds; never CRDs). */
  protobuf: boolean;
  /** Whether Table / PartialObjectMetadata conversions are allowed (resource endpoints). */
  conversions: boolean;
}

const META_GROUP = 'meta.k8s.io';

function allowsTransform(
  media: MediaType,
  convert: ConvertTarget | undefined,
  options: NegotiationOptions,
): boolean {
  if (!convert) {
    return true;
  }
  if (!options.conversions || convert.group !== META_GROUP) {
    return false;
  }
  if (convert.version !== 'v1' && convert.version !== 'v1beta1') {
    return false;
  }
  switch (convert.kind) {
    case 'Table':
      return media.serializer === 'json' || media.serializer === 'yaml';
    case 'PartialObjectMetadata':
    case 'PartialObjectMetadataList':
      return true;
    default:
      return false;
  }
}

function supported(options: NegotiationOptions): MediaType[] {
  return options.protobuf ? [JSON_TYPE, YAML_TYPE, PROTOBUF_TYPE] : [JSON_TYPE, YAML_TYPE];
}

/** 406 listing the media types (or, for watches, the stream media types) the endpoint serves. */
export function notAcceptable(options: NegotiationOptions, stream = false): KubeError {
  const types = supported(options)
    .filter((t) => !stream || t.streaming)
    .map((t) => (stream ? `${t.mediaType};stream=watch` : t.mediaType));
  return new KubeError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: ${types.join(', ')}`,
  );
}

const formatOf = (m: MediaType) => ({
  serializer: m.serializer,
  mediaType: m.mediaType,
  streaming: m.streaming,
});

/** The output format for an Accept header, or a 406 NotAcceptable. */
export function negotiateOutput(
  accept: string | undefined,
  options: NegotiationOptions,
): OutputFormat {
  const types = supported(options);
  if (!accept) {
    return { ...formatOf(types[0]), pretty: false };
  }
  for (const clause of parseAccept(accept)) {
    for (const media of types) {
      const matches =
        (clause.type === media.type &&
          (clause.subType === media.subType || clause.subType === '*')) ||
        (clause.type === '*' && clause.subType === '*');
      if (!matches) {
        continue;
      }
      const { as, g, v, stream, pretty } = clause.params;
      if (stream && (stream !== 'watch' || !media.streaming)) {
        continue;
      }
      const convert =
        as !== undefined || g !== undefined || v !== undefined
          ? { group: g ?? '', version: v ?? '', kind: as ?? '' }
          : undefined;
      if (!allowsTransform(media, convert, options)) {
        continue;
      }
      return { ...formatOf(media), convert, pretty: pretty === '1' };
    }
  }
  throw notAcceptable(options);
}

/** Media types a request body may use; the Content-Type decides (empty = JSON). */
export function inputSerializer(
  contentType: string | undefined,
  protobuf: boolean,
): Serializer | undefined {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === '') {
    return 'json';
  }
  return supported({ protobuf, conversions: false }).find((t) => t.mediaType === media)?.serializer;
}

export function supportedInputTypes(protobuf: boolean): string[] {
  return supported({ protobuf, conversions: false }).map((t) => t.mediaType);
}

/** Go's strconv.ParseBool, which `?pretty=` uses (unlike the other boolean parameters). */
function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) {
    return true;
  }
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) {
    return false;
  }
  return undefined;
}

/** isPrettyPrint: `?pretty=<bool>`, else browsers and command-line HTTP tools get indented JSON. */
export function wantsPretty(query: URLSearchParams, userAgent: string | undefined): boolean {
  const pretty = query.get('pretty');
  if (pretty) {
    return parseGoBool(pretty) ?? false;
  }
  const ua = userAgent ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { KubeError } from '../errors/kube-error';
import type { OpenApiDocument, OpenApiService } from '../discovery/openapi/openapi-service';
import { parseAccept } from './negotiation';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const GZIP_MIN_BYTES = 1400;

interface Variant {
  subType: string;
  contentType: string;
  body: (doc: OpenApiDocument) => Buffer | undefined;
}

const JSON_VARIANT: Variant = {
  subType: 'json',
  contentType: 'application/json',
  body: (doc) => doc.json,
};
/** kube-openapi answers both protobuf spellings with the non-deprecated one. */
const V2_VARIANTS: Variant[] = [
  JSON_VARIANT,
  {
    subType: 'com.github.proto-openapi.spec.v2@v1.0+protobuf',
    contentType: PROTOBUF_V2,
    body: (d) => d.protobuf,
  },
  {
    subType: 'com.github.proto-openapi.spec.v2.v1.0+protobuf',
    contentType: PROTOBUF_V2,
    body: (d) => d.protobuf,
  },
];

/** kube-openapi's Accept matching: wildcards allowed, first acceptable clause wins. */
function pick(accept: string | undefined, variants: Variant[]): Variant | undefined {
  for (const clause of parseAccept(accept || '*/*')) {
    for (const v of variants) {
      if (
        (clause.type === 'application' || clause.type === '*') &&
        (clause.subType === v.subType || clause.subType === '*')
      ) {
        return v;
      }
    }
  }
  return undefined;
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch) {
    return ifNoneMatch
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === `"${etag}"`);
  }
  const since = req.headers['if-modified-since'];
  if (since) {
    const t = Date.parse(since);
    return !Number.isNaN(t) && Math.floor(lastModified.getTime() / 1000) * 1000 <= t;
  }
  return false;
}

/** http.ServeContent (ETag, Last-Modified, 304) plus the gzip handler around the OpenAPI routes. */
function serve(
  req: IncomingMessage,
  res: ServerResponse,
  doc: OpenApiDocument,
  variant: Variant,
  headers: Record<string, string>,
): void {
  const body = variant.body(doc);
  if (!body) {
    res.writeHead(406, { Vary: 'Accept', 'Content-Length': 0 });
    res.end();
    return;
  }
  const common: Record<string, string> = {
    ...headers,
    Vary: 'Accept',
    Etag: `"${doc.etag}"`,
    'Last-Modified': doc.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  if (notModified(req, doc.etag, doc.lastModified)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const gzip =
    /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && body.length >= GZIP_MIN_BYTES;
  const payload = gzip ? (variant === JSON_VARIANT ? doc.jsonGzip : gzipOf(body)) : body;
  res.writeHead(200, {
    ...common,
    'Content-Type': variant.contentType,
    'Content-Length': payload.length,
    ...(gzip ? { 'Content-Encoding': 'gzip', Vary: 'Accept, Accept-Encoding' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : payload);
}

const gzipCache = new WeakMap<Buffer, Buffer>();
function gzipOf(body: Buffer): Buffer {
  let z = gzipCache.get(body);
  if (!z) {
    z = gzipSync(body);
    gzipCache.set(body, z);
  }
  return z;
}

const notFound = () =>
  new KubeError(404, 'NotFound', 'the server could not find the requested resource');

/** `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version>`; false for other paths. */
export function handleOpenApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
  openapi: OpenApiService,
  nowMs: number,
): boolean {
  if (path === '/openapi/v2') {
    const variant = pick(req.headers.accept, V2_VARIANTS);
    if (!variant) {
      res.writeHead(406, { Vary: 'Accept', 'Content-Length': 0 });
      res.end();
      return true;
    }
    serve(req, res, openapi.v2Document(), variant, {});
    return true;
  }
  if (path === '/openapi/v3') {
    serve(req, res, openapi.v3Root(), JSON_VARIANT, {});
    return true;
  }
  const m = /^\/openapi\/v3\/(.+)$/.exec(path);
  if (!m) {
    return false;
  }
  const doc = openapi.v3Documents().get(m[1]);
  if (!doc) {
    throw notFound();
  }
  const variant = pick(req.headers.accept, [JSON_VARIANT]);
  if (!variant) {
    res.writeHead(406, { Vary: 'Accept', 'Content-Length': 0 });
    res.end();
    return true;
  }
  const hash = url.searchParams.get('hash');
  if (hash && hash !== doc.etag) {
    res.writeHead(301, { Location: `/openapi/v3/${m[1]}?hash=${doc.etag}`, 'Content-Length': 0 });
    res.end();
    return true;
  }
  const headers: Record<string, string> = {};
  if (hash) {
    headers['Cache-Control'] = 'public, immutable';
    headers.Expires = new Date(nowMs + ONE_YEAR_MS).toUTCString();
  }
  serve(req, res, doc, variant, headers);
  return true;
}

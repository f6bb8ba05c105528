import { badRequest } from '../errors/kube-error';

/**
 * List continuation tokens in upstream's format (apiserver/pkg/storage/continue.go): unpadded
 * base64url of `{"v":"meta.k8s.io/v1","rv":<list rv>,"start":"<next key>"}`, where the key is the
 * etcd key below the list's prefix (`<ns>/<name>` or `<name>`) followed by "\u0000". rv -1 means
 * "continue from the latest state" (handed out with a 410 for an expired token).
 */
export interface ContinueToken {
  rv: number;
  /** Resume after this key (exclusive); keys are `<namespace>/<name>` for all-namespace lists. */
  start: string;
}

const VERSION = 'meta.k8s.io/v1';

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: VERSION, rv: token.rv, start: `${token.start}\u0000` }),
  ).toString('base64url');
}

const invalidToken = (detail: string) => badRequest(`invalid continue token: ${detail}`);

export function decodeContinue(value: string): ContinueToken {
  const bad = /[^A-Za-z0-9_-]/.exec(value);
  if (bad || value.length % 4 === 1) {
    const at = bad ? bad.index : value.length - 1;
    throw invalidToken(`continue key is not valid: illegal base64 data at input byte ${at}`);
  }
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as typeof parsed;
  } catch (error) {
    throw invalidToken(`continue key is not valid: ${(error as Error).message}`);
  }
  if (parsed.v !== VERSION) {
    throw invalidToken(
      `continue key is not valid: server does not recognize this encoded version ${JSON.stringify(parsed.v ?? '')}`,
    );
  }
  const rv = typeof parsed.rv === 'number' ? parsed.rv : 0;
  if (rv === 0) {
    throw invalidToken(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  const start = typeof parsed.start === 'string' ? parsed.start : '';
  if (start === '') {
    throw invalidToken(
      'continue key is not valid: encoded start key empty (version meta.k8s.io/v1)',
    );
  }
  const key = start.startsWith('/') ? start.slice(1) : start;
  if (key.split('/').some((part) => part === '..' || part === '.')) {
    throw invalidToken(`continue key is not valid: ${start}`);
  }
  return { rv, start: key.endsWith('\u0000') ? key.slice(0, -1) : key };
}

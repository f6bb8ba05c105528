import { badRequest } from '../errors/kube-error';

/**
 * Path segments a URL parser would resolve or choke on: `.`/`..` (also percent-encoded) would
 * silently address another resource (`configmaps/..` is the namespace), and invalid
 * percent-encoding cannot name anything. Upstream refuses both; so does Nimbus, with a 400.
 */
export function checkRequestPath(rawUrl: string): void {
  const path = rawUrl.split('?')[0];
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw badRequest(`invalid URL escape in path segment "${segment}"`);
    }
    if (decoded === '.' || decoded === '..') {
      throw badRequest(`name may not be "${decoded}"`);
    }
  }
}

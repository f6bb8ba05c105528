import { createHash } from 'node:crypto';

const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

/**
 * containerd's reference normalisation (docker/distribution `ParseNormalizedNamed` +
 * `TagNameOnly`): `nginx` → `docker.io/library/nginx:latest`, `bitnami/redis:7` →
 * `docker.io/bitnami/redis:7`, `registry.k8s.io/pause:3.9` unchanged; digests are kept.
 */
export function normalizeImage(image: string): string {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest.indexOf('/');
  const first = slash < 0 ? '' : withoutDigest.slice(0, slash);
  const hasDomain =
    first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = hasDomain ? withoutDigest : `${DEFAULT_DOMAIN}/${withoutDigest}`;
  if (!hasDomain && slash < 0) {
    name = `${DEFAULT_DOMAIN}/${OFFICIAL_REPO_PREFIX}${withoutDigest}`;
  }
  if (digest) {
    return `${repositoryOf(name)}@${digest}`;
  }
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

/** `docker.io/library/nginx:1.27` → `docker.io/library/nginx`. */
export function repositoryOf(normalized: string): string {
  const at = normalized.indexOf('@');
  const base = at < 0 ? normalized : normalized.slice(0, at);
  const lastSlash = base.lastIndexOf('/');
  const colon = base.indexOf(':', lastSlash + 1);
  return colon < 0 ? base : base.slice(0, colon);
}

/** The image's (simulated) content digest: stable per reference, `sha256:<64 hex>`. */
export function imageDigest(normalized: string): string {
  if (normalized.includes('@sha256:')) {
    return normalized.slice(normalized.indexOf('@') + 1);
  }
  return `sha256:${createHash('sha256').update(`nimbus-image:${normalized}`).digest('hex')}`;
}

/** `imageID` of a container status: `docker.io/library/nginx@sha256:<64 hex>`. */
export function imageIdOf(normalized: string): string {
  return `${repositoryOf(normalized)}@${imageDigest(normalized)}`;
}

/** A plausible, stable image size in bytes (5–250 MB). */
export function imageSizeBytes(normalized: string): number {
  const h = createHash('sha256').update(`nimbus-size:${normalized}`).digest();
  return 5_000_000 + (h.readUInt32BE(0) % 245_000_000);
}

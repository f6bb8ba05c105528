import type { PodTemplateSpec } from '@app/kube-client';

/** upstream apps.DefaultDeploymentUniqueLabelKey. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** k8s.io/apimachinery/pkg/util/rand alphanumerics: no vowels, no 0/1/3 (no bad words). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** upstream rand.SafeEncodeString: every byte mapped onto the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  }
  return out;
}

/** FNV-1a, 32 bits (Go's hash/fnv New32a). */
export function fnv32a(data: string): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(data, 'utf8');
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * upstream controller.ComputeHash: FNV-32a over the pod template (upstream prints it with
 * spew; here its canonical JSON, keys sorted) plus the collision count, written in decimal and
 * safe-encoded: `7c5ddbdf54`-like, 8–10 characters.
 */
export function computeHash(
  template: PodTemplateSpec | undefined,
  collisionCount?: number,
): string {
  let data = canonicalJson(template ?? {});
  if (collisionCount !== undefined && collisionCount !== null) {
    data += String(collisionCount);
  }
  return safeEncodeString(String(fnv32a(data)));
}

/** JSON with object keys sorted, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** upstream EqualIgnoreHash: two templates equal once the pod-template-hash label is removed. */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(copy.metadata.labels).length === 0) {
      delete copy.metadata.labels;
    }
  }
  if (copy.metadata && Object.keys(copy.metadata).length === 0) {
    delete copy.metadata;
  }
  return copy;
}

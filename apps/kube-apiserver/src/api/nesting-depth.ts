import { badRequest } from '../errors/kube-error';

/**
 * Upstream's JSON decoder (sigs.k8s.io/json) stops at 10,000 levels; Nimbus stops at 1,000, since
 * its patch and validation code recurses and no Kubernetes object comes near that depth. Checked
 * without recursion, right after parsing, so nothing later overflows the stack.
 */
export const MAX_NESTING_DEPTH = 1_000;

export function checkNestingDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) {
      continue;
    }
    if (depth >= MAX_NESTING_DEPTH) {
      throw badRequest(`json: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    }
    for (const child of Object.values(node)) {
      stack.push([child, depth + 1]);
    }
  }
}

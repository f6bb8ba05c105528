import { badRequest } from '../errors/kube-error';
import { MAX_NESTING_DEPTH } from '../schema/strict-json';

/**
 * The nesting limit of the strict JSON decoder for values parsed elsewhere (YAML): checked without
 * recursion, right after parsing, so nothing later overflows the stack.
 */

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

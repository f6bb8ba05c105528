import type { NextFunction, Request, Response } from 'express';
import { invalidArgument } from '@app/common';

/** Deeper than any request the API defines (its deepest body has four levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses JSON bodies nested deeper than MAX_JSON_DEPTH (400 naming the field) before validation:
 * the recursive transform and validation would otherwise overflow the stack on a hostile body.
 */
export function jsonDepthLimit(req: Request, _res: Response, next: NextFunction): void {
  const path = tooDeep(req.body as unknown);
  if (path === undefined) {
    next();
    return;
  }
  next(invalidArgument(path, `is nested deeper than ${MAX_JSON_DEPTH} levels`));
}

/** The path (first three segments) of a value nested too deep, found without recursion. */
function tooDeep(body: unknown): string | undefined {
  const stack: { value: unknown; depth: number; path: string[] }[] = [
    { value: body, depth: 0, path: [] },
  ];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (depth > MAX_JSON_DEPTH) {
      return path.slice(0, 3).join('.') || 'body';
    }
    for (const [key, child] of Object.entries(value)) {
      stack.push({
        value: child,
        depth: depth + 1,
        path: path.length < 3 ? [...path, Array.isArray(value) ? `[${key}]` : key] : path,
      });
    }
  }
  return undefined;
}

import { isPlainObject } from '../api/types';
import type { DeleteOptions } from '../api/resource-service';
import { badRequest } from '../errors/kube-error';

/** DeleteOptions from the body (JSON or protobuf, already decoded) and the query string. */
export function deleteOptionsFrom(body: unknown, query: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  if (body !== undefined && body !== null) {
    if (!isPlainObject(body)) {
      throw badRequest('DeleteOptions must be an object');
    }
    if (body.gracePeriodSeconds !== undefined && body.gracePeriodSeconds !== null) {
      options.gracePeriodSeconds = Number(body.gracePeriodSeconds);
    }
    if (isPlainObject(body.preconditions)) {
      options.preconditions = body.preconditions;
    }
    if (typeof body.orphanDependents === 'boolean') {
      options.orphanDependents = body.orphanDependents;
    }
    if (typeof body.propagationPolicy === 'string') {
      options.propagationPolicy = body.propagationPolicy;
    }
    if (Array.isArray(body.dryRun)) {
      options.dryRun = body.dryRun.map(String);
    }
  }
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null && grace !== '') {
    options.gracePeriodSeconds = Number(grace);
  }
  if (options.gracePeriodSeconds !== undefined && !Number.isInteger(options.gracePeriodSeconds)) {
    throw badRequest('gracePeriodSeconds must be an integer');
  }
  const policy = query.get('propagationPolicy');
  if (policy) {
    options.propagationPolicy = policy;
  }
  const dryRun = query.getAll('dryRun');
  if (dryRun.length > 0) {
    options.dryRun = dryRun;
  }
  if (
    options.propagationPolicy !== undefined &&
    !['Orphan', 'Background', 'Foreground'].includes(options.propagationPolicy)
  ) {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  checkDryRun(options.dryRun ?? []);
  return options;
}

export function checkDryRun(values: string[]): boolean {
  for (const v of values) {
    if (v !== 'All') {
      throw badRequest(`Invalid dry run value: unsupported value "${v}"; supported values: "All"`);
    }
  }
  return values.includes('All');
}

import { isPlainObject } from '../object/types';
import type { DeleteOptions } from '../api/resource-service';
import { badRequest, invalid, type FieldError } from '../errors/kube-error';
import { queryBool, queryInt } from '../api/query-params';

const POLICIES = ['Foreground', 'Background', 'Orphan'];

/**
 * DeleteOptions as the delete handler reads them: from the body when there is one (JSON or
 * protobuf, already decoded), else from the query; then ValidateDeleteOptions (422 on
 * DeleteOptions.meta.k8s.io).
 */
export function deleteOptionsFrom(body: unknown, query: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  if (body !== undefined && body !== null) {
    if (!isPlainObject(body)) {
      throw badRequest('decoded object cannot be converted to DeleteOptions');
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
  } else {
    options.gracePeriodSeconds = queryInt(query, 'gracePeriodSeconds');
    options.orphanDependents = queryBool(query, 'orphanDependents');
    options.propagationPolicy = query.get('propagationPolicy') ?? undefined;
    const dryRun = query.getAll('dryRun');
    if (dryRun.length > 0) {
      options.dryRun = dryRun;
    }
  }
  if (options.gracePeriodSeconds !== undefined && !Number.isInteger(options.gracePeriodSeconds)) {
    throw badRequest('gracePeriodSeconds must be an integer');
  }
  const errors: FieldError[] = [];
  if (options.orphanDependents !== undefined && options.propagationPolicy !== undefined) {
    errors.push({
      field: 'propagationPolicy',
      message: `Invalid value: ${JSON.stringify(options.propagationPolicy)}: orphanDependents and deletionPropagation cannot be both set`,
    });
  }
  if (options.propagationPolicy !== undefined && !POLICIES.includes(options.propagationPolicy)) {
    errors.push({
      field: 'propagationPolicy',
      message: `Unsupported value: ${JSON.stringify(options.propagationPolicy)}: supported values: "Foreground", "Background", "Orphan", "nil"`,
      reason: 'FieldValueNotSupported',
    });
  }
  const dryRun = options.dryRun ?? [];
  if (dryRun.some((v) => v !== 'All')) {
    errors.push({
      field: 'dryRun',
      message: `Unsupported value: []string{${dryRun.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"`,
      reason: 'FieldValueNotSupported',
    });
  }
  if (errors.length > 0) {
    throw invalid('DeleteOptions', { group: 'meta.k8s.io', resource: 'DeleteOptions' }, '', errors);
  }
  return options;
}

import type { KubeObject } from '../object/types';
import { badRequest, invalid, type FieldError } from '../errors/kube-error';
import { parseFieldSelector } from '../selectors/field-selector';
import { LabelSelectorSyntaxError, parseLabelSelector } from '@app/common';
import type { ResourceType } from '../registry/resource-type';
import { queryBool, queryInt } from './query-params';

export interface ListOptions {
  namespace?: string;
  matches: (obj: KubeObject) => boolean;
  /** No label or field selector: upstream only then reports remainingItemCount. */
  unfiltered: boolean;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  watch: boolean;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  /** Undefined when not given (a nil *bool upstream). */
  sendInitialEvents?: boolean;
}

const LIST_OPTIONS = { group: 'meta.k8s.io', resource: 'ListOptions' };
const forbidden = (field: string, detail: string): FieldError => ({
  field,
  message: `Forbidden: ${detail}`,
  reason: 'FieldValueForbidden',
});
const notSupported = (field: string, value: string, supported: string[]): FieldError => ({
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported
    .map((s) => JSON.stringify(s))
    .join(', ')}`,
  reason: 'FieldValueNotSupported',
});

/**
 * ListOptions from the query, with upstream's defaulting (the WatchList feature is on in 1.32:
 * a watch from resourceVersion "" or "0" implies sendInitialEvents) and validation
 * (ValidateListOptions: 422 Invalid on ListOptions.meta.k8s.io). Selectors are checked here too.
 */
export function parseListOptions(
  query: URLSearchParams,
  type: ResourceType,
  namespace: string | undefined,
  forceWatch = false,
  name?: string,
): ListOptions {
  const labelSelector = query.get('labelSelector') ?? undefined;
  let fieldSelector = query.get('fieldSelector') ?? undefined;
  if (name !== undefined) {
    // A watch on /watch/.../<name> is a watch on metadata.name=<name>.
    if (fieldSelector && fieldSelector !== `metadata.name=${name}`) {
      const selected = /^metadata\.name==?(.*)$/.exec(fieldSelector)?.[1];
      if (selected !== name) {
        throw badRequest("fieldSelector metadata.name doesn't match requested name");
      }
    }
    fieldSelector = `metadata.name=${name}`;
  }
  const labels = labelMatcher(labelSelector);
  const fields = parseFieldSelector(fieldSelector, type);
  const matches =
    labels && fields
      ? (o: KubeObject) => labels(o.metadata.labels) && fields(o)
      : labels
        ? (o: KubeObject) => labels(o.metadata.labels)
        : (fields ?? (() => true));
  const options: ListOptions = {
    namespace,
    matches,
    unfiltered: !labels && !fields,
    limit: queryInt(query, 'limit'),
    continueToken: query.get('continue') || undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    resourceVersionMatch: query.get('resourceVersionMatch') || undefined,
    watch: forceWatch || (queryBool(query, 'watch') ?? false),
    timeoutSeconds: queryInt(query, 'timeoutSeconds'),
    allowWatchBookmarks: queryBool(query, 'allowWatchBookmarks') ?? false,
    sendInitialEvents: queryBool(query, 'sendInitialEvents'),
  };
  if (options.limit !== undefined && options.limit <= 0) {
    options.limit = undefined;
  }
  setListOptionsDefaults(options);
  const errors = options.watch ? validateWatchOptions(options) : validateListOptions(options);
  if (errors.length > 0) {
    throw invalid('ListOptions', LIST_OPTIONS, '', errors);
  }
  return options;
}

/** SetListOptionsDefaults with the WatchList feature enabled (the 1.32 default). */
function setListOptionsDefaults(options: ListOptions): void {
  if (options.sendInitialEvents !== undefined || options.resourceVersionMatch) {
    return;
  }
  const legacy = !options.resourceVersion || options.resourceVersion === '0';
  if (options.watch && legacy) {
    options.sendInitialEvents = true;
    options.resourceVersionMatch = 'NotOlderThan';
  }
}

function validateListOptions(o: ListOptions): FieldError[] {
  const errors: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (match) {
    if (!o.resourceVersion) {
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden unless resourceVersion is provided',
        ),
      );
    }
    if (o.continueToken) {
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden when continue is provided',
        ),
      );
    }
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errors.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    }
    if (match === 'Exact' && o.resourceVersion === '0') {
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        ),
      );
    }
  }
  if (o.sendInitialEvents !== undefined) {
    errors.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  return errors;
}

function validateWatchOptions(o: ListOptions): FieldError[] {
  const errors: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (o.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errors.push(
      forbidden(
        'resourceVersionMatch',
        'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      ),
    );
  }
  if (match) {
    if (o.sendInitialEvents === undefined) {
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ),
      );
    }
    if (match !== 'NotOlderThan') {
      errors.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    }
    if (o.continueToken) {
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden when continue is provided',
        ),
      );
    }
  }
  return errors;
}

/** The label selector's matcher; bad syntax is a 400 with the parser's message. */
function labelMatcher(selector: string | undefined) {
  try {
    return parseLabelSelector(selector);
  } catch (error) {
    if (error instanceof LabelSelectorSyntaxError) {
      throw badRequest(error.message);
    }
    throw error;
  }
}

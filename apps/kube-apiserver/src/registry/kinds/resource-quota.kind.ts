import { formatQuotaQuantity, parseQuotaQuantity } from '@app/common';
import type { FieldError } from '../../errors/kube-error';
import { isPlainObject, type KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldInvalid, fieldRequired } from '../field-errors';
import { goRaw, goString, type GoValue } from '../go-format';
import { qualifiedNameErrors } from '../label-selector-rules';
import { text } from '../object-path';
import { validateName } from '../validation';

/** Every name a quota may track without a `/` (helper.IsStandardQuotaResourceName, hugepages aside). */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);
/** helper.IsStandardResourceName adds `storage` to the quota names. */
const isStandardResource = (name: string) =>
  STANDARD_QUOTA_RESOURCES.has(name) || name === 'storage' || isHugePages(name);
const isHugePages = (name: string) =>
  name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
const isStandardQuotaResource = (name: string) =>
  STANDARD_QUOTA_RESOURCES.has(name) || isHugePages(name);

/** Counted in whole units (helper.IsIntegerResourceName; extended resources too). */
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);
const isExtendedResource = (name: string) =>
  name.includes('/') &&
  !name.includes('kubernetes.io/') &&
  !name.startsWith('requests.') &&
  qualifiedNameErrors(`requests.${name}`).length === 0;

const SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];
/** IsResourceQuotaScopeValidForResource: scopes only narrow pod counts and pod compute. */
const POD_COMPUTE = [
  'cpu',
  'memory',
  'limits.cpu',
  'limits.memory',
  'requests.cpu',
  'requests.memory',
];
function scopeValidFor(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
      return resource === 'pods' || POD_COMPUTE.includes(resource);
    case 'BestEffort':
      return resource === 'pods';
    default:
      return true;
  }
}
const CONFLICTING_SCOPES = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];
const EXISTS_ONLY_SCOPES = ['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating'];

/** ValidateResourceQuotaResourceName and ValidateResourceQuantityValue for one `hard`/`used` entry. */
function resourceListErrors(list: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(isPlainObject(list) ? list : {})) {
    const at = `${field}[${name}]`;
    const nameErrors = qualifiedNameErrors(name).map((m) => fieldInvalid(at, goString(name), m));
    if (nameErrors.length === 0 && !name.includes('/') && !isStandardResource(name)) {
      nameErrors.push(
        fieldInvalid(at, goString(name), 'must be a standard resource type or fully qualified'),
      );
    }
    if (!name.includes('/') && !isStandardQuotaResource(name)) {
      nameErrors.push(fieldInvalid(at, goString(name), 'must be a standard resource for quota'));
    }
    errors.push(...nameErrors);
    const q = parseQuotaQuantity(value);
    if (!q) {
      continue; // the schema refused what is not a quantity
    }
    if (q.milli < 0n) {
      errors.push(
        fieldInvalid(at, goString(formatQuotaQuantity(q)), 'must be greater than or equal to 0'),
      );
    }
    if ((INTEGER_RESOURCES.has(name) || isExtendedResource(name)) && q.milli % 1000n !== 0n) {
      errors.push(fieldInvalid(at, goString(formatQuotaQuantity(q)), 'must be an integer'));
    }
  }
  return errors;
}

/** `[]core.ResourceQuotaScope{"BestEffort"}` as Go's %#v prints the scopes (nil when absent). */
const goScopes = (values: unknown): GoValue =>
  Array.isArray(values)
    ? goRaw(`[]core.ResourceQuotaScope{${values.map((v) => goString(String(v))).join(', ')}}`)
    : goRaw('[]core.ResourceQuotaScope(nil)');

const goStrings = (values: unknown[]): string =>
  values.length
    ? `[]string{${values.map((v) => goString(String(v))).join(', ')}}`
    : '[]string(nil)';

/** The scope selector as Go's %#v prints a *core.ScopeSelector. */
function goScopeSelector(selector: Record<string, unknown>): GoValue {
  const items = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).map(
    (e) => {
      const req = isPlainObject(e) ? e : {};
      const values = Array.isArray(req.values) ? req.values : [];
      return `core.ScopedResourceSelectorRequirement{ScopeName:${goString(text(req.scopeName))}, Operator:${goString(text(req.operator))}, Values:${goStrings(values)}}`;
    },
  );
  return goRaw(
    `&core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{${items.join(', ')}}}`,
  );
}

/** validateResourceQuotaScopes and validateScopeSelector (pkg/apis/core/validation). */
function scopeErrors(spec: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const hardNames = Object.keys(isPlainObject(spec.hard) ? spec.hard : {}).sort();
  const scopes = Array.isArray(spec.scopes) ? spec.scopes.map(String) : [];
  const scopeField = 'spec.scopes';
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) {
      errors.push(fieldInvalid(scopeField, goScopes(spec.scopes), 'unsupported scope'));
    }
    for (const name of hardNames) {
      if (isStandardQuotaResource(name) && !scopeValidFor(scope, name)) {
        errors.push(
          fieldInvalid(scopeField, goScopes(spec.scopes), 'unsupported scope applied to resource'),
        );
      }
    }
  }
  for (const pair of CONFLICTING_SCOPES) {
    if (pair.every((s) => scopes.includes(s))) {
      errors.push(fieldInvalid(scopeField, goScopes(spec.scopes), 'conflicting scopes'));
    }
  }
  const selector = isPlainObject(spec.scopeSelector) ? spec.scopeSelector : undefined;
  if (!selector) {
    return errors;
  }
  const at = 'spec.scopeSelector.matchExpressions';
  const names: string[] = [];
  (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).forEach((e) => {
    const req = isPlainObject(e) ? e : {};
    const scopeName = text(req.scopeName);
    const operator = text(req.operator);
    const values = Array.isArray(req.values) ? req.values : [];
    if (!SCOPES.includes(scopeName)) {
      errors.push(fieldInvalid(`${at}.scopeName`, goString(scopeName), 'unsupported scope'));
    }
    for (const name of hardNames) {
      if (isStandardQuotaResource(name) && !scopeValidFor(scopeName, name)) {
        errors.push(
          fieldInvalid(at, goScopeSelector(selector), 'unsupported scope applied to resource'),
        );
      }
    }
    if (EXISTS_ONLY_SCOPES.includes(scopeName) && operator !== 'Exists') {
      errors.push(
        fieldInvalid(
          `${at}.operator`,
          goString(operator),
          "must be 'Exist' only operator when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort and ResourceQuotaScopeNotBestEffort",
        ),
      );
    }
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) {
        errors.push(
          fieldRequired(
            `${at}.values`,
            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
          ),
        );
      }
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length !== 0) {
        errors.push(
          fieldInvalid(
            `${at}.values`,
            goRaw(goStrings(values)),
            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
          ),
        );
      }
    } else {
      errors.push(
        fieldInvalid(`${at}.operator`, goString(operator), 'not a valid selector operator'),
      );
    }
    names.push(scopeName);
  });
  for (const pair of CONFLICTING_SCOPES) {
    if (pair.every((s) => names.includes(s))) {
      errors.push(fieldInvalid(at, goScopes(spec.scopes), 'conflicting scopes'));
    }
  }
  return errors;
}

/** ValidateResourceQuota (+Update: the scopes are immutable) with the status lists. */
function validateResourceQuota(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const status = isPlainObject(obj.status) ? obj.status : {};
  const errors = [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...resourceListErrors(spec.hard, 'spec.hard'),
    ...scopeErrors(spec),
    ...resourceListErrors(status.hard, 'status.hard'),
    ...resourceListErrors(status.used, 'status.used'),
  ];
  const oldSpec = old && isPlainObject(old.spec) ? old.spec : undefined;
  if (oldSpec && JSON.stringify(oldSpec.scopes ?? []) !== JSON.stringify(spec.scopes ?? [])) {
    errors.push(fieldInvalid('spec.scopes', goScopes(spec.scopes), 'field is immutable'));
  }
  return errors;
}

/**
 * printResourceQuota: each `status.hard` name as `name: used/hard`, sorted, the `limits.*` ones
 * in the LIMIT column and the rest in REQUEST.
 */
function quotaCells(obj: KubeObject): { request: string; limit: string } {
  const status = isPlainObject(obj.status) ? obj.status : {};
  const hard = isPlainObject(status.hard) ? status.hard : {};
  const used = isPlainObject(status.used) ? status.used : {};
  const show = (v: unknown) => {
    const q = parseQuotaQuantity(v);
    return q ? formatQuotaQuantity(q) : '0';
  };
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split('.');
    const target = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
    target.push(`${name}: ${show(used[name])}/${show(hard[name])}`);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

/** core/v1 ResourceQuota: enforced by the ResourceQuota admission, counted by the kcm's controller. */
export const resourceQuotaKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  kind: 'ResourceQuota',
  scope: 'Namespaced',
  shortNames: ['quota'],
  subresources: ['status'],
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column('Request', (o) => quotaCells(o).request, {
      description:
        'Request represents a minimum amount of cpu/memory that a container may consume.',
    }),
    column('Limit', (o) => quotaCells(o).limit, {
      description:
        'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    }),
  ],
  validate: validateResourceQuota,
});

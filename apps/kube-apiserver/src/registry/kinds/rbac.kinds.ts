import { isPlainObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, DEFAULT_COLUMNS, NAME_COLUMN, column, wide } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { validateName } from '../validation';

/*
 * rbac.authorization.k8s.io/v1 objects, stored and validated as upstream does
 * (pkg/apis/rbac/validation), so manifests that ship RBAC (a CCM's ClusterRole and bindings)
 * apply. Authorization itself is not enforced yet: every authenticated request is allowed.
 */

const GROUP = 'rbac.authorization.k8s.io';

const required = (field: string, message: string): FieldError => ({
  field,
  message: `Required value: ${message}`,
  reason: 'FieldValueRequired',
});
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const rules = Array.isArray(obj.rules) ? obj.rules : [];
  const errors: FieldError[] = [];
  rules.forEach((rule: unknown, i) => {
    const r = isPlainObject(rule) ? rule : {};
    const path = `rules[${i}]`;
    if (strings(r.verbs).length === 0) {
      errors.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
    }
    if (strings(r.nonResourceURLs).length > 0) {
      if (namespaced) {
        errors.push({
          field: `${path}.nonResourceURLs`,
          message: 'Invalid value: namespaced rules cannot apply to non-resource URLs',
        });
      }
      if (strings(r.apiGroups).length > 0 || strings(r.resources).length > 0) {
        errors.push({
          field: `${path}.nonResourceURLs`,
          message:
            'Invalid value: rules cannot apply to both regular resources and non-resource URLs',
        });
      }
      return;
    }
    if (!Array.isArray(r.apiGroups) || r.apiGroups.length === 0) {
      errors.push(
        required(`${path}.apiGroups`, 'resource rules must supply at least one api group'),
      );
    }
    if (strings(r.resources).length === 0) {
      errors.push(
        required(`${path}.resources`, 'resource rules must supply at least one resource'),
      );
    }
  });
  return errors;
}

function validateBinding(
  obj: KubeObject,
  old: KubeObject | undefined,
  clusterScoped: boolean,
): FieldError[] {
  const errors = validateName(obj.metadata.name, 'path');
  const ref = isPlainObject(obj.roleRef) ? obj.roleRef : undefined;
  if (!ref) {
    errors.push(required('roleRef', 'roleRef is required'));
  } else {
    if (ref.apiGroup !== GROUP) {
      errors.push({
        field: 'roleRef.apiGroup',
        message: `Unsupported value: "${text(ref.apiGroup)}": supported values: "${GROUP}"`,
        reason: 'FieldValueNotSupported',
      });
    }
    const kinds = clusterScoped ? ['ClusterRole'] : ['Role', 'ClusterRole'];
    if (!kinds.includes(text(ref.kind))) {
      errors.push({
        field: 'roleRef.kind',
        message: `Unsupported value: "${text(ref.kind)}": supported values: ${kinds.map((k) => `"${k}"`).join(', ')}`,
        reason: 'FieldValueNotSupported',
      });
    }
    if (typeof ref.name !== 'string' || ref.name === '') {
      errors.push(required('roleRef.name', ''));
    }
    if (old && JSON.stringify(old.roleRef) !== JSON.stringify(obj.roleRef)) {
      errors.push({ field: 'roleRef', message: 'Invalid value: cannot change roleRef' });
    }
  }
  const subjects = Array.isArray(obj.subjects) ? obj.subjects : [];
  subjects.forEach((subject: unknown, i) => {
    const s = isPlainObject(subject) ? subject : {};
    const path = `subjects[${i}]`;
    if (typeof s.name !== 'string' || s.name === '') {
      errors.push(required(`${path}.name`, ''));
    }
    if (s.kind === 'ServiceAccount') {
      if (clusterScoped && (typeof s.namespace !== 'string' || s.namespace === '')) {
        errors.push(required(`${path}.namespace`, ''));
      }
    } else if (s.kind !== 'User' && s.kind !== 'Group') {
      errors.push({
        field: `${path}.kind`,
        message: `Unsupported value: "${text(s.kind)}": supported values: "ServiceAccount", "User", "Group"`,
        reason: 'FieldValueNotSupported',
      });
    }
  });
  return errors;
}

const roleOf = (o: KubeObject): string => {
  const ref = isPlainObject(o.roleRef) ? o.roleRef : {};
  return `${text(ref.kind)}/${text(ref.name)}`;
};
const subjectNames = (o: KubeObject, kind: string): string =>
  (Array.isArray(o.subjects) ? o.subjects : [])
    .filter((s: unknown) => isPlainObject(s) && s.kind === kind)
    .map((s: Record<string, unknown>) =>
      kind === 'ServiceAccount' ? `${text(s.namespace)}/${text(s.name)}` : text(s.name),
    )
    .join(', ');
const BINDING_COLUMNS = [
  NAME_COLUMN,
  column('Role', roleOf),
  AGE_COLUMN,
  wide('Users', (o) => subjectNames(o, 'User')),
  wide('Groups', (o) => subjectNames(o, 'Group')),
  wide('ServiceAccounts', (o) => subjectNames(o, 'ServiceAccount')),
];

export const roleKind = defineKind({
  group: GROUP,
  version: 'v1',
  resource: 'roles',
  kind: 'Role',
  scope: 'Namespaced',
  columns: DEFAULT_COLUMNS,
  validate: (obj) => [...validateName(obj.metadata.name, 'path'), ...validateRules(obj, true)],
});

export const clusterRoleKind = defineKind({
  group: GROUP,
  version: 'v1',
  resource: 'clusterroles',
  kind: 'ClusterRole',
  scope: 'Cluster',
  columns: DEFAULT_COLUMNS,
  validate: (obj) => [...validateName(obj.metadata.name, 'path'), ...validateRules(obj, false)],
});

export const roleBindingKind = defineKind({
  group: GROUP,
  version: 'v1',
  resource: 'rolebindings',
  kind: 'RoleBinding',
  scope: 'Namespaced',
  columns: BINDING_COLUMNS,
  validate: (obj, old) => validateBinding(obj, old, false),
});

export const clusterRoleBindingKind = defineKind({
  group: GROUP,
  version: 'v1',
  resource: 'clusterrolebindings',
  kind: 'ClusterRoleBinding',
  scope: 'Cluster',
  columns: BINDING_COLUMNS,
  validate: (obj, old) => validateBinding(obj, old, true),
});

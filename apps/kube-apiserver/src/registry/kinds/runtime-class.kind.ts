import { isPlainObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { dns1123LabelMessages } from '../dns-names';
import { fieldDuplicate, fieldInvalid, fieldNotSupported, immutableField } from '../field-errors';
import { goRaw, goString } from '../go-format';
import { validateLabels } from '../label-selector-rules';
import { validateName } from '../validation';

const OPERATORS = ['Equal', 'Exists'];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** ValidateRuntimeClass / ValidateRuntimeClassUpdate (pkg/apis/node/validation; the update re-runs it all). */
function validateRuntimeClass(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const handler = typeof obj.handler === 'string' ? obj.handler : '';
  for (const m of dns1123LabelMessages(handler)) {
    errors.push(fieldInvalid('handler', goString(handler), m));
  }
  const overhead = isPlainObject(obj.overhead) ? obj.overhead : {};
  if (isPlainObject(overhead.podFixed)) {
    for (const [name, q] of Object.entries(overhead.podFixed)) {
      if (typeof q === 'string' && q.trim().startsWith('-')) {
        errors.push(
          fieldInvalid(
            `overhead.podFixed[${name}]`,
            goString(q),
            'must be greater than or equal to 0',
          ),
        );
      }
    }
  }
  const scheduling = isPlainObject(obj.scheduling) ? obj.scheduling : {};
  errors.push(...validateLabels(scheduling.nodeSelector, 'scheduling.nodeSelector'));
  errors.push(...tolerationErrors(scheduling.tolerations, 'scheduling.tolerations'));
  if (old) {
    errors.push(...immutableField(handler !== old.handler, 'handler', () => goString(handler)));
  }
  return errors;
}

/** The toleration checks of ValidateTolerations users meet, and the list's uniqueness. */
function tolerationErrors(tolerations: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (Array.isArray(tolerations) ? tolerations : []).forEach((t: unknown, i) => {
    const at = `${field}[${i}]`;
    const tol = isPlainObject(t) ? t : {};
    const operator = typeof tol.operator === 'string' ? tol.operator : '';
    if (operator !== '' && !OPERATORS.includes(operator)) {
      errors.push(fieldNotSupported(`${at}.operator`, goString(operator), OPERATORS));
    }
    if (operator === 'Exists' && typeof tol.value === 'string' && tol.value !== '') {
      errors.push(
        fieldInvalid(
          `${at}.operator`,
          goString(operator),
          "value must be empty when `operator` is 'Exists'",
        ),
      );
    }
    const effect = typeof tol.effect === 'string' ? tol.effect : '';
    if (effect !== '' && !EFFECTS.includes(effect)) {
      errors.push(fieldNotSupported(`${at}.effect`, goString(effect), EFFECTS));
    }
    const key = JSON.stringify([tol.key ?? '', operator, tol.value ?? '', effect]);
    if (seen.has(key)) {
      errors.push(fieldDuplicate(at, goRaw(JSON.stringify(tol))));
    }
    seen.add(key);
  });
  return errors;
}

/** node.k8s.io/v1 RuntimeClass: stored for clients and charts; simulated kubelets run every handler alike. */
export const runtimeClassKind = defineKind({
  group: 'node.k8s.io',
  version: 'v1',
  resource: 'runtimeclasses',
  kind: 'RuntimeClass',
  scope: 'Cluster',
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Handler', (o) => o.handler ?? '', {
      // Upstream reads ObjectMeta's (absent) doc for `handler`: the description is empty.
      description: '',
    }),
    AGE_COLUMN,
  ],
  validate: validateRuntimeClass,
});

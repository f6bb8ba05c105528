import type { KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { dns1123LabelMessages } from '../dns-names';
import { fieldInvalid, immutableField } from '../field-errors';
import { goString } from '../go-format';
import { validateName } from '../validation';

/** ValidateRuntimeClass / ValidateRuntimeClassUpdate (pkg/apis/node/validation). */
function validateRuntimeClass(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const handler = typeof obj.handler === 'string' ? obj.handler : '';
  for (const m of dns1123LabelMessages(handler)) {
    errors.push(fieldInvalid('handler', goString(handler), m));
  }
  if (old) {
    errors.push(...immutableField(handler !== old.handler, 'handler', () => goString(handler)));
  }
  return errors;
}

/** node.k8s.io/v1 RuntimeClass: stored for clients and charts; simulated kubelets run every handler alike. */
export const runtimeClassKind = defineKind({
  group: 'node.k8s.io',
  version: 'v1',
  resource: 'runtimeclasses',
  kind: 'RuntimeClass',
  scope: 'Cluster',
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

import type { KubeObject } from '../../object/types';
import { deepEqual } from '../../object/deep-equal';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldRequired, immutableField, nonNegative } from '../field-errors';
import { goRaw } from '../go-format';
import { getArray, text } from '../object-path';
import { validateName } from '../validation';

/** `runtime.RawExtension{Raw:[]byte{…}, …}` as %#v prints the immutable data. */
function rawExtension(data: unknown): string {
  const bytes = [...Buffer.from(JSON.stringify(data ?? null))].map((b) => `0x${b.toString(16)}`);
  return `runtime.RawExtension{Raw:[]byte{${bytes.join(', ')}}, Object:runtime.Object(nil)}`;
}

/** ValidateControllerRevision / ValidateControllerRevisionUpdate. */
function validateControllerRevision(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = validateName(obj.metadata.name, 'subdomain');
  if (obj.data === undefined || obj.data === null) {
    errors.push(fieldRequired('data', 'data is mandatory'));
  }
  errors.push(...nonNegative(obj.revision, 'revision'));
  if (old) {
    errors.push(
      ...immutableField(!deepEqual(obj.data, old.data), 'data', () =>
        goRaw(rawExtension(obj.data)),
      ),
    );
  }
  return errors;
}

/** CONTROLLER: `<kind>.<group>/<name>` of the controlling owner (printers.FormatResourceName). */
function controllerOf(o: KubeObject): string {
  const ref = getArray(o.metadata, 'ownerReferences').find((r) => r.controller === true);
  if (!ref) {
    return '<none>';
  }
  const apiVersion = text(ref.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind = text(ref.kind ?? '').toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${text(ref.name ?? '')}`;
}

export const controllerRevisionKind = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  scope: 'Namespaced',
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Controller', controllerOf, { description: 'Controller of the object' }),
    column('Revision', (o) => Number(o.revision ?? 0)),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    obj.revision ??= 0;
  },
  validate: validateControllerRevision,
});

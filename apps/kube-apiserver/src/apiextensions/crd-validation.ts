import type { FieldError } from '../errors/kube-error';
import type { KubeObject } from '../object/types';
import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  immutableField,
} from '../registry/field-errors';
import { goRaw, goString } from '../registry/go-format';
import { dns1123SubdomainMessages } from '../registry/dns-names';
import {
  crdSpec,
  isConditionTrue,
  type CrdColumn,
  type CrdNames,
  type CrdScale,
  type CrdVersion,
} from './crd-types';
import { validateCrdSchema } from './structural-schema';
import { dns1035LabelMessages } from '../registry/dns-names';

/** validation.IsDNS1035Label, joined with "," as apiextensions does. */
function dns1035(value: string): string | undefined {
  const messages = dns1035LabelMessages(value);
  return messages.length ? messages.join(',') : undefined;
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = [
  'byte',
  'date',
  'date-time',
  'double',
  'float',
  'int32',
  'int64',
  'password',
];

/** Go's %#v is unreadable for slices of structs; the JSON says the same. */
const versionsValue = (versions: CrdVersion[]) =>
  goRaw(
    JSON.stringify(versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage }))),
  );

/** ValidateCustomResourceDefinitionNames. */
export function validateNames(names: CrdNames, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const label = (value: string | undefined, field: string, prefix = '') => {
    const why = value ? dns1035(prefix ? value.toLowerCase() : value) : undefined;
    if (why) {
      errors.push(fieldInvalid(field, goString(value), prefix + why));
    }
  };
  label(names.plural, `${path}.plural`);
  label(names.singular, `${path}.singular`);
  label(names.kind, `${path}.kind`, 'may have mixed case, but should otherwise match: ');
  label(names.listKind, `${path}.listKind`, 'may have mixed case, but should otherwise match: ');
  (names.shortNames ?? []).forEach((s, i) => label(s, `${path}.shortNames[${i}]`));
  if (names.kind && names.kind === names.listKind) {
    errors.push(
      fieldInvalid(
        `${path}.listKind`,
        goString(names.listKind),
        'kind and listKind may not be the same',
      ),
    );
  }
  (names.categories ?? []).forEach((c, i) => label(c, `${path}.categories[${i}]`));
  return errors;
}

function simpleJsonPath(value: string, path: string): FieldError[] {
  if (value === '') {
    return [fieldInvalid(path, goString(value), 'must not be empty')];
  }
  if (!value.startsWith('.')) {
    return [fieldInvalid(path, goString(value), 'must be a simple json path starting with .')];
  }
  return [];
}

function validateColumn(col: CrdColumn, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!col.name) {
    errors.push(fieldRequired(`${path}.name`));
  }
  if (!col.type) {
    errors.push(fieldRequired(`${path}.type`, `must be one of ${COLUMN_TYPES.join(',')}`));
  } else if (!COLUMN_TYPES.includes(col.type)) {
    errors.push(
      fieldInvalid(`${path}.type`, goString(col.type), `must be one of ${COLUMN_TYPES.join(',')}`),
    );
  }
  if (col.format && !COLUMN_FORMATS.includes(col.format)) {
    errors.push(
      fieldInvalid(
        `${path}.format`,
        goString(col.format),
        `must be one of ${COLUMN_FORMATS.join(',')}`,
      ),
    );
  }
  if (!col.jsonPath) {
    errors.push(fieldRequired(`${path}.JSONPath`));
  } else {
    errors.push(...simpleJsonPath(col.jsonPath, `${path}.JSONPath`));
  }
  return errors;
}

function validateScale(scale: CrdScale, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const check = (value: string | undefined, field: string, under: string, required: boolean) => {
    if (!value) {
      if (required) {
        errors.push(fieldRequired(`${path}.${field}`));
      }
      return;
    }
    const bad = simpleJsonPath(value, `${path}.${field}`);
    if (bad.length) {
      errors.push(...bad);
    } else if (!value.startsWith(`.${under}.`)) {
      errors.push(
        fieldInvalid(`${path}.${field}`, goString(value), `should be a json path under .${under}`),
      );
    }
  };
  check(scale.specReplicasPath, 'specReplicasPath', 'spec', true);
  check(scale.statusReplicasPath, 'statusReplicasPath', 'status', true);
  check(scale.labelSelectorPath, 'labelSelectorPath', 'status', false);
  return errors;
}

function validateVersions(versions: CrdVersion[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (versions.length === 0) {
    return [
      fieldInvalid(path, goRaw('[]'), 'must have exactly one version marked as storage version'),
    ];
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const at = `${path}[${i}]`;
    if (!v.name) {
      errors.push(fieldRequired(`${at}.name`));
    } else {
      const why = dns1035(v.name);
      if (why) {
        errors.push(fieldInvalid(`${at}.name`, goString(v.name), why));
      }
      if (seen.has(v.name)) {
        errors.push(fieldDuplicate(`${at}.name`, goString(v.name)));
      }
      seen.add(v.name);
    }
    const statusEnabled = v.subresources?.status !== undefined;
    errors.push(
      ...validateCrdSchema(
        v.schema?.openAPIV3Schema,
        `${at}.schema.openAPIV3Schema`,
        statusEnabled,
      ),
    );
    if (v.subresources?.scale) {
      errors.push(...validateScale(v.subresources.scale, `${at}.subresources.scale`));
    }
    (v.additionalPrinterColumns ?? []).forEach((c, j) =>
      errors.push(...validateColumn(c, `${at}.additionalPrinterColumns[${j}]`)),
    );
  });
  if (versions.filter((v) => v.storage).length !== 1) {
    errors.push(
      fieldInvalid(
        path,
        versionsValue(versions),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  if (!versions.some((v) => v.served)) {
    errors.push(
      fieldInvalid(path, versionsValue(versions), 'must have at least one served version'),
    );
  }
  return errors;
}

/** ValidateCustomResourceDefinition (+Update): name, group, names, scope, versions, conversion. */
export function validateCrd(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = crdSpec(obj);
  const names = spec.names ?? {};
  const errors: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  if (spec.group && names.plural && name !== `${names.plural}.${spec.group}`) {
    errors.push(
      fieldInvalid('metadata.name', goString(name), 'must be spec.names.plural+"."+spec.group'),
    );
  }
  if (!spec.group) {
    errors.push(fieldRequired('spec.group'));
  } else {
    const why = dns1123SubdomainMessages(spec.group);
    if (why.length) {
      errors.push(fieldInvalid('spec.group', goString(spec.group), why.join(',')));
    } else if (spec.group.split('.').length < 2) {
      errors.push(
        fieldInvalid(
          'spec.group',
          goString(spec.group),
          'should be a domain with at least one dot',
        ),
      );
    }
  }
  if (!spec.scope) {
    errors.push(fieldRequired('spec.scope'));
  } else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') {
    errors.push(fieldNotSupported('spec.scope', goString(spec.scope), ['Cluster', 'Namespaced']));
  }
  errors.push(...validateVersions(spec.versions ?? [], 'spec.versions'));
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const) {
    if (!names[field]) {
      errors.push(fieldRequired(`spec.names.${field}`));
    }
  }
  errors.push(...validateNames(names, 'spec.names'));
  const strategy = spec.conversion?.strategy;
  if (strategy === 'Webhook') {
    errors.push(
      fieldForbidden(
        'spec.conversion.strategy',
        'conversion webhooks are not supported by this server (use "None")',
      ),
    );
  } else if (strategy !== undefined && strategy !== 'None') {
    errors.push(
      fieldNotSupported('spec.conversion.strategy', goString(strategy), ['None', 'Webhook']),
    );
  }
  if (old) {
    const oldSpec = crdSpec(old);
    if (isConditionTrue(old, 'Established')) {
      errors.push(
        ...immutableField(spec.scope !== oldSpec.scope, 'spec.scope', () => goString(spec.scope)),
      );
      errors.push(
        ...immutableField(names.kind !== oldSpec.names?.kind, 'spec.names.kind', () =>
          goString(names.kind),
        ),
      );
    }
    errors.push(
      ...immutableField(spec.group !== oldSpec.group, 'spec.group', () => goString(spec.group)),
    );
    errors.push(
      ...immutableField(names.plural !== oldSpec.names?.plural, 'spec.names.plural', () =>
        goString(names.plural),
      ),
    );
  }
  return errors;
}

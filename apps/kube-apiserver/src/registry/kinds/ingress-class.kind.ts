import type { FieldError } from '../../errors/kube-error';
import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  immutableField,
} from '../field-errors';
import { goString } from '../go-format';
import { getPath, text } from '../object-path';
import { dns1123LabelMessages, dns1123SubdomainMessages } from '../dns-names';
import { typedLocalObjectReferenceErrors } from './ingress.kind';
import { validateName } from '../validation';

/** The annotation that makes an IngressClass the default (networking/v1 AnnotationIsDefaultIngressClass). */
export const ANN_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
const MAX_CONTROLLER_LENGTH = 250;
const PARAMETER_SCOPES = ['Cluster', 'Namespace'];

/** validation.IsDomainPrefixedPath: each error names the part that is wrong. */
function domainPrefixedPathErrors(value: string, field: string): FieldError[] {
  if (value === '') {
    return [fieldRequired(field)];
  }
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (host === '' || path === '') {
    return [
      fieldInvalid(
        field,
        goString(value),
        'must be a domain-prefixed path (such as "acme.io/foo")',
      ),
    ];
  }
  const errors = dns1123SubdomainMessages(host).map((m) => fieldInvalid(field, goString(host), m));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(path)) {
    errors.push(
      fieldInvalid(
        field,
        goString(path),
        "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
      ),
    );
  }
  return errors;
}

/** validateIngressClassParametersReference. */
function parametersErrors(p: JsonObject, field: string): FieldError[] {
  const errors = typedLocalObjectReferenceErrors(p, field);
  const scope = typeof p.scope === 'string' ? p.scope : '';
  const hasNamespace = typeof p.namespace === 'string';
  if (!PARAMETER_SCOPES.includes(scope)) {
    errors.push(fieldNotSupported(`${field}.scope`, goString(scope), PARAMETER_SCOPES));
  } else if (scope === 'Namespace') {
    if (!hasNamespace) {
      errors.push(fieldRequired(`${field}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    } else {
      for (const m of dns1123LabelMessages(p.namespace as string)) {
        errors.push(fieldInvalid(`${field}.namespace`, goString(p.namespace), m));
      }
    }
  } else if (hasNamespace) {
    errors.push(fieldForbidden(`${field}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errors;
}

/** ValidateIngressClass / ValidateIngressClassUpdate (pkg/apis/networking/validation). */
function validateIngressClass(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const controller = typeof spec.controller === 'string' ? spec.controller : '';
  if (old) {
    // ValidateIngressClassUpdate: the immutable controller first, then the whole class again.
    const oldController = getPath(old, 'spec.controller');
    errors.push(
      ...immutableField(controller !== oldController, 'spec.controller', () =>
        goString(controller),
      ),
    );
  }
  if (controller.length > MAX_CONTROLLER_LENGTH) {
    errors.push(fieldTooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  }
  errors.push(...domainPrefixedPathErrors(controller, 'spec.controller'));
  if (isPlainObject(spec.parameters)) {
    errors.push(...parametersErrors(spec.parameters, 'spec.parameters'));
  }
  return errors;
}

export const ingressClassKind = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingressclasses',
  kind: 'IngressClass',
  scope: 'Cluster',
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Controller', (o) => getPath(o, 'spec.controller') ?? '', {
      description: 'Controller that is responsible for handling this class',
    }),
    column(
      'Parameters',
      (o) => {
        const p = getPath(o, 'spec.parameters');
        if (!isPlainObject(p)) {
          return '<none>';
        }
        const group = typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : '';
        return `${text(p.kind ?? '')}${group}/${text(p.name ?? '')}`;
      },
      { description: 'A reference to a resource with additional parameters' },
    ),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
    if (spec && isPlainObject(spec.parameters)) {
      spec.parameters.scope ??= 'Cluster';
    }
  },
  validate: validateIngressClass,
});

import { isIP } from 'node:net';
import type { FieldError } from '../../errors/kube-error';
import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { dns1035LabelMessages, dns1123SubdomainMessages, pathSegmentMessages } from '../dns-names';
import { fieldInvalid, fieldNotSupported, fieldRequired } from '../field-errors';
import { goInt, goRaw, goString } from '../go-format';
import { getArray, getString, objectItems, text } from '../object-path';
import { portNameErrors } from '../pod-spec-validation';
import { validateName } from '../validation';

/** The annotation that named an Ingress's class before `spec.ingressClassName` (networking/v1beta1). */
export const ANN_INGRESS_CLASS = 'kubernetes.io/ingress.class';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** validation.IsWildcardDNS1123Subdomain. */
function wildcardSubdomainMessages(host: string): string[] {
  const messages: string[] = [];
  if (host.length > 253) {
    messages.push('must be no more than 253 characters');
  }
  if (!/^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
    messages.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return messages;
}

/** A rule's or a TLS entry's host: a DNS name, optionally with a leading wildcard label. */
function hostErrors(host: string, field: string): FieldError[] {
  const messages = host.includes('*')
    ? wildcardSubdomainMessages(host)
    : dns1123SubdomainMessages(host);
  return messages.map((m) => fieldInvalid(field, goString(host), m));
}

/** validateIngressTypedLocalObjectReference (Ingress resource backends, IngressClass parameters). */
export function typedLocalObjectReferenceErrors(ref: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof ref.apiGroup === 'string') {
    for (const m of dns1123SubdomainMessages(ref.apiGroup)) {
      errors.push(fieldInvalid(`${field}.apiGroup`, goString(ref.apiGroup), m));
    }
  }
  for (const key of ['kind', 'name']) {
    const value = typeof ref[key] === 'string' ? ref[key] : '';
    if (value === '') {
      errors.push(fieldRequired(`${field}.${key}`, `${key} is required`));
    } else {
      for (const m of pathSegmentMessages(value)) {
        errors.push(fieldInvalid(`${field}.${key}`, goString(value), m));
      }
    }
  }
  return errors;
}

/** validateIngressBackend. */
function backendErrors(backend: JsonObject, field: string): FieldError[] {
  const service = isPlainObject(backend.service) ? backend.service : undefined;
  const resource = isPlainObject(backend.resource) ? backend.resource : undefined;
  if (service && resource) {
    return [fieldInvalid(field, goString(''), 'cannot set both resource and service backends')];
  }
  if (resource) {
    return typedLocalObjectReferenceErrors(resource, `${field}.resource`);
  }
  if (!service) {
    return [fieldInvalid(field, goString(''), 'resource or service backend is required')];
  }
  const errors: FieldError[] = [];
  const name = typeof service.name === 'string' ? service.name : '';
  if (name === '') {
    errors.push(fieldRequired(`${field}.service.name`));
  } else {
    // ValidateServiceName: a DNS-1035 label.
    for (const m of dns1035LabelMessages(name)) {
      errors.push(fieldInvalid(`${field}.service.name`, goString(name), m));
    }
  }
  const port = isPlainObject(service.port) ? service.port : {};
  const portName = typeof port.name === 'string' ? port.name : '';
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName && portNumber) {
    errors.push(fieldInvalid(field, goString(''), 'cannot set both port name & port number'));
  } else if (portName) {
    for (const m of portNameErrors(portName)) {
      errors.push(fieldInvalid(`${field}.service.port.name`, goString(portName), m));
    }
  } else if (portNumber) {
    if (portNumber < 1 || portNumber > 65535) {
      errors.push(
        fieldInvalid(
          `${field}.service.port.number`,
          goInt(portNumber),
          'must be between 1 and 65535, inclusive',
        ),
      );
    }
  } else {
    errors.push(fieldRequired(field, 'port name or number is required'));
  }
  return errors;
}

/** validateHTTPIngressPath. */
function pathErrors(path: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const value = typeof path.path === 'string' ? path.path : '';
  if (path.pathType === undefined || path.pathType === null) {
    return [fieldRequired(`${field}.pathType`, 'pathType must be specified')];
  }
  const type = text(path.pathType);
  if (type === 'Exact' || type === 'Prefix') {
    if (!value.startsWith('/')) {
      errors.push(fieldInvalid(`${field}.path`, goString(value), 'must be an absolute path'));
    }
    if (value.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES.filter((s) => value.includes(s))) {
        errors.push(fieldInvalid(`${field}.path`, goString(value), `must not contain '${seq}'`));
      }
      for (const suffix of INVALID_PATH_SUFFIXES.filter((s) => value.endsWith(s))) {
        errors.push(fieldInvalid(`${field}.path`, goString(value), `cannot end with '${suffix}'`));
      }
    }
  } else if (type === 'ImplementationSpecific') {
    if (value.length > 0 && !value.startsWith('/')) {
      errors.push(fieldInvalid(`${field}.path`, goString(value), 'must be an absolute path'));
    }
  } else {
    errors.push(fieldNotSupported(`${field}.pathType`, goString(type), PATH_TYPES));
  }
  errors.push(
    ...backendErrors(isPlainObject(path.backend) ? path.backend : {}, `${field}.backend`),
  );
  return errors;
}

/** ValidateIngressSpec and the status's load-balancer addresses (pkg/apis/networking/validation). */
function validateIngress(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const rules = objectItems(spec.rules);
  if (rules.length === 0 && !isPlainObject(spec.defaultBackend)) {
    errors.push(
      fieldInvalid(
        'spec',
        goRaw(
          Array.isArray(spec.rules)
            ? '[]networking.IngressRule{}'
            : '[]networking.IngressRule(nil)',
        ),
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  }
  if (isPlainObject(spec.defaultBackend)) {
    errors.push(...backendErrors(spec.defaultBackend, 'spec.defaultBackend'));
  }
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    const host = typeof rule.host === 'string' ? rule.host : '';
    if (host) {
      if (isIP(host) !== 0) {
        errors.push(
          fieldInvalid(`${at}.host`, goString(host), 'must be a DNS name, not an IP address'),
        );
      }
      errors.push(...hostErrors(host, `${at}.host`));
    }
    if (isPlainObject(rule.http)) {
      const paths = objectItems(rule.http.paths);
      if (paths.length === 0) {
        errors.push(fieldRequired(`${at}.http.paths`));
      }
      paths.forEach((p, j) => errors.push(...pathErrors(p, `${at}.http.paths[${j}]`)));
    }
  });
  objectItems(spec.tls).forEach((tls, i) => {
    (Array.isArray(tls.hosts) ? tls.hosts : []).forEach((host: unknown, j) => {
      errors.push(...hostErrors(String(host), `spec.tls[${i}].hosts[${j}]`));
    });
    if (typeof tls.secretName === 'string' && tls.secretName !== '') {
      for (const m of dns1123SubdomainMessages(tls.secretName)) {
        errors.push(fieldInvalid(`spec.tls[${i}].secretName`, goString(tls.secretName), m));
      }
    }
  });
  if (typeof spec.ingressClassName === 'string') {
    for (const m of dns1123SubdomainMessages(spec.ingressClassName)) {
      errors.push(fieldInvalid('spec.ingressClassName', goString(spec.ingressClassName), m));
    }
  }
  const annotated = obj.metadata.annotations?.[ANN_INGRESS_CLASS];
  if (
    !old &&
    annotated !== undefined &&
    typeof spec.ingressClassName === 'string' &&
    annotated !== spec.ingressClassName
  ) {
    errors.push(
      fieldInvalid(
        `annotations.${ANN_INGRESS_CLASS}`,
        goString(annotated),
        'must match `ingressClassName` when both are specified',
      ),
    );
  }
  getArray(obj, 'status.loadBalancer.ingress').forEach((lb, i) => {
    const at = `status.loadBalancer.ingress[${i}]`;
    if (typeof lb.ip === 'string' && lb.ip !== '' && isIP(lb.ip) === 0) {
      errors.push(fieldInvalid(`${at}.ip`, goString(lb.ip), 'must be a valid IP address'));
    }
    if (typeof lb.hostname === 'string' && lb.hostname !== '') {
      for (const m of dns1123SubdomainMessages(lb.hostname)) {
        errors.push(fieldInvalid(`${at}.hostname`, goString(lb.hostname), m));
      }
      if (isIP(lb.hostname) !== 0) {
        errors.push(
          fieldInvalid(
            `${at}.hostname`,
            goString(lb.hostname),
            'must be a DNS name, not an IP address',
          ),
        );
      }
    }
  });
  return errors;
}

/** formatHosts: up to three hosts; past them, `+ N more...` counts every further rule. */
function hosts(o: KubeObject): string {
  const rules = getArray(o, 'spec.rules');
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === 3) {
      more = true;
    }
    if (!more && typeof rule.host === 'string' && rule.host !== '') {
      list.push(rule.host);
    }
  }
  if (list.length === 0) {
    return '*';
  }
  return more ? `${list.join(',')} + ${rules.length - 3} more...` : list.join(',');
}

/** ingressLoadBalancerStatusStringer: the sorted, distinct IPs (or hostnames). */
function address(o: KubeObject): string {
  const set = new Set<string>();
  for (const lb of getArray(o, 'status.loadBalancer.ingress')) {
    const value = (lb.ip as string) || (lb.hostname as string);
    if (value) {
      set.add(value);
    }
  }
  return [...set].sort().join(',');
}

export const ingressKind = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingresses',
  kind: 'Ingress',
  scope: 'Namespaced',
  shortNames: ['ing'],
  deleteReturnsStatus: true,
  subresources: ['status'],
  columns: [
    NAME_COLUMN,
    column('Class', (o) => getString(o, 'spec.ingressClassName') ?? '<none>', {
      description:
        'The name of the IngressClass resource that should be used for additional configuration',
    }),
    column('Hosts', hosts, {
      description: 'Hosts that incoming requests are matched against before the ingress rule',
    }),
    column('Address', address, {
      description: 'Address is a list containing ingress points for the load-balancer',
    }),
    column('Ports', (o) => (getArray(o, 'spec.tls').length > 0 ? '80, 443' : '80'), {
      description: 'Ports of TLS configurations that open',
    }),
    AGE_COLUMN,
  ],
  defaultOnCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  validate: validateIngress,
});

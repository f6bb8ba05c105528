import { isPlainObject } from '../object/types';
import { objectItems, text } from './object-path';
import type { FieldError } from '../errors/kube-error';
import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
} from './field-errors';
import { goInt, goString } from './go-format';
import { dns1123LabelErrors, dns1123SubdomainErrors } from './dns-names';
import { validateLabels } from './label-selector-rules';

/**
 * The PodSpec checks of `pkg/apis/core/validation` users run into (ValidatePodSpec,
 * validateContainers, validateContainerPorts, validateVolumes, volume mounts, policies), with
 * upstream field paths and messages. Deeper checks (security contexts, affinity, resources,
 * probes' handlers) are left to the kubelet's simulation and not enforced here.
 */

/** validation.IsValidPortName (IANA_SVC_NAME). */
export function portNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 15) {
    errors.push('must be no more than 15 characters');
  }
  if (!/^[-a-z0-9]+$/.test(name)) {
    errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(name)) {
    errors.push('must contain at least one letter (a-z)');
  }
  if (name.includes('--')) {
    errors.push('must not contain consecutive hyphens');
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    errors.push('must not begin or end with a hyphen');
  }
  return errors;
}

function validatePorts(ports: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  objectItems(ports).forEach((p, i) => {
    const at = `${field}[${i}]`;
    if (typeof p.name === 'string' && p.name) {
      const msgs = portNameErrors(p.name);
      msgs.forEach((m) => errors.push(fieldInvalid(`${at}.name`, goString(p.name), m)));
      if (msgs.length === 0 && names.has(p.name)) {
        errors.push(fieldDuplicate(`${at}.name`, goString(p.name)));
      }
      names.add(p.name);
    }
    if (!p.containerPort) {
      errors.push(fieldRequired(`${at}.containerPort`));
    } else if (!isPort(p.containerPort)) {
      errors.push(fieldInvalid(`${at}.containerPort`, goInt(p.containerPort), PORT_RANGE));
    }
    if (p.hostPort && !isPort(p.hostPort)) {
      errors.push(fieldInvalid(`${at}.hostPort`, goInt(p.hostPort), PORT_RANGE));
    }
    if (!p.protocol) {
      errors.push(fieldRequired(`${at}.protocol`));
    } else if (!['SCTP', 'TCP', 'UDP'].includes(text(p.protocol))) {
      errors.push(
        fieldNotSupported(`${at}.protocol`, goString(p.protocol), ['SCTP', 'TCP', 'UDP']),
      );
    }
  });
  return errors;
}

const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

function validateContainers(
  list: unknown,
  field: string,
  volumes: Set<string>,
  requireOne: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const containers = objectItems(list);
  if (requireOne && containers.length === 0) {
    errors.push(fieldRequired(field));
  }
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${field}[${i}]`;
    const name = typeof c.name === 'string' ? c.name : '';
    if (!name) {
      errors.push(fieldRequired(`${at}.name`));
    } else {
      errors.push(...dns1123LabelErrors(name, `${at}.name`));
    }
    if (typeof c.image !== 'string' || c.image === '') {
      errors.push(fieldRequired(`${at}.image`));
    }
    errors.push(...validatePorts(c.ports, `${at}.ports`));
    const mountPaths = new Set<string>();
    objectItems(c.volumeMounts).forEach((m, j) => {
      const mat = `${at}.volumeMounts[${j}]`;
      if (!m.name) {
        errors.push(fieldRequired(`${mat}.name`));
      } else if (!volumes.has(text(m.name))) {
        errors.push(fieldNotFound(`${mat}.name`, goString(m.name)));
      }
      if (!m.mountPath) {
        errors.push(fieldRequired(`${mat}.mountPath`));
      } else if (mountPaths.has(text(m.mountPath))) {
        errors.push(fieldInvalid(`${mat}.mountPath`, goString(m.mountPath), 'must be unique'));
      }
      mountPaths.add(text(m.mountPath ?? ''));
    });
    if (
      c.imagePullPolicy !== undefined &&
      !['Always', 'IfNotPresent', 'Never'].includes(text(c.imagePullPolicy))
    ) {
      errors.push(
        fieldNotSupported(`${at}.imagePullPolicy`, goString(c.imagePullPolicy), [
          'Always',
          'IfNotPresent',
          'Never',
        ]),
      );
    }
    if (names.has(name) && name) {
      errors.push(fieldDuplicate(`${at}.name`, goString(name)));
    }
    names.add(name);
  });
  return errors;
}

function validateVolumes(
  list: unknown,
  field: string,
): { names: Set<string>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  objectItems(list).forEach((v, i) => {
    const at = `${field}[${i}]`;
    const name = typeof v.name === 'string' ? v.name : '';
    if (!name) {
      errors.push(fieldRequired(`${at}.name`));
    } else {
      errors.push(...dns1123LabelErrors(name, `${at}.name`));
      if (names.has(name)) {
        errors.push(fieldDuplicate(`${at}.name`, goString(name)));
      }
      names.add(name);
    }
  });
  return { names, errors };
}

const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

/** ValidatePreemptionPolicy (pods and PriorityClasses). */
export function preemptionPolicyErrors(policy: unknown, field: string): FieldError[] {
  if (policy === undefined || policy === null) {
    return [];
  }
  if (policy === '') {
    return [fieldRequired(field)];
  }
  return PREEMPTION_POLICIES.includes(policy as string)
    ? []
    : [fieldNotSupported(field, goString(policy), PREEMPTION_POLICIES)];
}

/** ValidatePodSpec (the subset above). */
export function validatePodSpec(spec: unknown, field: string): FieldError[] {
  const s = isPlainObject(spec) ? spec : {};
  const { names, errors } = validateVolumes(s.volumes, `${field}.volumes`);
  errors.push(...validateContainers(s.containers, `${field}.containers`, names, true));
  errors.push(...validateContainers(s.initContainers, `${field}.initContainers`, names, false));
  const restart = s.restartPolicy;
  if (restart === undefined || restart === '') {
    errors.push(fieldRequired(`${field}.restartPolicy`));
  } else if (!['Always', 'OnFailure', 'Never'].includes(text(restart))) {
    errors.push(
      fieldNotSupported(`${field}.restartPolicy`, goString(restart), [
        'Always',
        'OnFailure',
        'Never',
      ]),
    );
  }
  const dns = s.dnsPolicy;
  const dnsValues = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dns === undefined || dns === '') {
    errors.push(fieldRequired(`${field}.dnsPolicy`));
  } else if (!dnsValues.includes(text(dns))) {
    errors.push(fieldNotSupported(`${field}.dnsPolicy`, goString(dns), dnsValues));
  }
  errors.push(...validateLabels(s.nodeSelector, `${field}.nodeSelector`));
  if (typeof s.priorityClassName === 'string' && s.priorityClassName) {
    errors.push(...dns1123SubdomainErrors(s.priorityClassName, `${field}.priorityClassName`));
  }
  errors.push(...preemptionPolicyErrors(s.preemptionPolicy, `${field}.preemptionPolicy`));
  if (typeof s.serviceAccountName === 'string' && s.serviceAccountName) {
    errors.push(...dns1123SubdomainErrors(s.serviceAccountName, `${field}.serviceAccountName`));
  }
  if (
    typeof s.activeDeadlineSeconds === 'number' &&
    (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > 2147483647)
  ) {
    errors.push(
      fieldInvalid(
        `${field}.activeDeadlineSeconds`,
        goInt(s.activeDeadlineSeconds),
        'must be between 1 and 2147483647, inclusive',
      ),
    );
  }
  return errors;
}

/** ValidatePodTemplateSpec: template labels/annotations, the PodSpec, no ephemeral containers. */
export function validatePodTemplate(template: unknown, field: string): FieldError[] {
  const t = isPlainObject(template) ? template : {};
  const meta = isPlainObject(t.metadata) ? t.metadata : {};
  const errors = validateLabels(meta.labels, `${field}.labels`);
  errors.push(...validatePodSpec(t.spec, `${field}.spec`));
  const spec = isPlainObject(t.spec) ? t.spec : {};
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    errors.push(
      fieldForbidden(
        `${field}.spec.ephemeralContainers`,
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errors;
}

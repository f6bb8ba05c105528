import { BlockList, isIP } from 'node:net';
import type { FieldError } from '../../errors/kube-error';
import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired } from '../field-errors';
import { goInt, goRaw, goString } from '../go-format';
import { formatLabelSelector, validateLabelSelector } from '../label-selector-rules';
import { getPath, objectItems, text } from '../object-path';
import { portNameErrors } from '../pod-spec-validation';
import { validateName } from '../validation';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const POLICY_TYPES = ['Egress', 'Ingress'];

/** A CIDR `addr/prefix` in canonical form, or undefined. */
function parseCidr(value: string): { address: string; prefix: number; family: 4 | 6 } | undefined {
  const [address, prefixText, extra] = value.split('/');
  const family = isIP(address ?? '');
  if (extra !== undefined || family === 0 || !/^\d{1,3}$/.test(prefixText ?? '')) {
    return undefined;
  }
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128)) {
    return undefined;
  }
  return { address, prefix, family: family as 4 | 6 };
}

/** ValidateIPBlock: a valid cidr, and every `except` a strict subset of it. */
function ipBlockErrors(block: JsonObject, field: string): FieldError[] {
  const cidrText = typeof block.cidr === 'string' ? block.cidr : '';
  if (cidrText === '') {
    return [fieldRequired(`${field}.cidr`)];
  }
  const cidr = parseCidr(cidrText);
  if (!cidr) {
    return [
      fieldInvalid(
        `${field}.cidr`,
        goString(cidrText),
        'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ),
    ];
  }
  const errors: FieldError[] = [];
  const within = new BlockList();
  within.addSubnet(cidr.address, cidr.prefix, cidr.family === 4 ? 'ipv4' : 'ipv6');
  (Array.isArray(block.except) ? block.except : []).forEach((text: unknown, i) => {
    const at = `${field}.except[${i}]`;
    const except = parseCidr(String(text));
    if (!except) {
      errors.push(
        fieldInvalid(
          at,
          goString(text),
          'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        ),
      );
      return;
    }
    const strictSubset =
      except.family === cidr.family &&
      except.prefix > cidr.prefix &&
      within.check(except.address, except.family === 4 ? 'ipv4' : 'ipv6');
    if (!strictSubset) {
      errors.push(fieldInvalid(at, goString(text), 'must be a strict subset of `cidr`'));
    }
  });
  return errors;
}

/** ValidateNetworkPolicyPort. */
function portErrors(port: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (port.protocol !== undefined && !PROTOCOLS.includes(text(port.protocol))) {
    errors.push(
      fieldNotSupported(`${field}.protocol`, goString(port.protocol), ['TCP', 'UDP', 'SCTP']),
    );
  }
  const endPort = port.endPort;
  const hasEndPort = endPort !== undefined && endPort !== null;
  if (port.port === undefined || port.port === null) {
    if (hasEndPort) {
      errors.push(
        fieldInvalid(
          `${field}.endPort`,
          goInt(endPort),
          'may not be specified when `port` is not specified',
        ),
      );
    }
    return errors;
  }
  if (typeof port.port === 'number') {
    errors.push(...portNumberErrors(port.port, `${field}.port`));
    if (typeof endPort === 'number') {
      if (endPort < port.port) {
        // Upstream reports the port as the bad value.
        errors.push(
          fieldInvalid(
            `${field}.endPort`,
            goInt(port.port),
            'must be greater than or equal to `port`',
          ),
        );
      }
      errors.push(...portNumberErrors(endPort, `${field}.endPort`));
    }
    return errors;
  }
  if (hasEndPort) {
    errors.push(
      fieldInvalid(
        `${field}.endPort`,
        goInt(endPort),
        'may not be specified when `port` is non-numeric',
      ),
    );
  }
  for (const m of portNameErrors(text(port.port))) {
    errors.push(fieldInvalid(`${field}.port`, goString(port.port), m));
  }
  return errors;
}

/** validation.IsValidPortNum. */
const portNumberErrors = (port: number, field: string): FieldError[] =>
  port < 1 || port > 65535
    ? [fieldInvalid(field, goInt(port), 'must be between 1 and 65535, inclusive')]
    : [];

/** ValidateNetworkPolicyPeer: exactly one kind of peer. */
function peerErrors(peer: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  let peers = 0;
  if (peer.podSelector !== undefined && peer.podSelector !== null) {
    peers++;
    errors.push(...validateLabelSelector(peer.podSelector, `${field}.podSelector`));
  }
  if (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null) {
    peers++;
    errors.push(...validateLabelSelector(peer.namespaceSelector, `${field}.namespaceSelector`));
  }
  if (isPlainObject(peer.ipBlock)) {
    peers++;
    errors.push(...ipBlockErrors(peer.ipBlock, `${field}.ipBlock`));
  }
  if (peers === 0) {
    errors.push(fieldRequired(field, 'must specify a peer'));
  } else if (peers > 1 && isPlainObject(peer.ipBlock)) {
    errors.push(fieldForbidden(field, 'may not specify both ipBlock and another peer'));
  }
  return errors;
}

/** ValidateNetworkPolicySpec (pkg/apis/networking/validation). */
function validateNetworkPolicy(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...validateLabelSelector(spec.podSelector ?? {}, 'spec.podSelector'));
  for (const direction of ['ingress', 'egress'] as const) {
    const peersKey = direction === 'ingress' ? 'from' : 'to';
    objectItems(spec[direction]).forEach((rule, i) => {
      const at = `spec.${direction}[${i}]`;
      objectItems(rule.ports).forEach((p, j) => errors.push(...portErrors(p, `${at}.ports[${j}]`)));
      objectItems(rule[peersKey]).forEach((p, j) =>
        errors.push(...peerErrors(p, `${at}.${peersKey}[${j}]`)),
      );
    });
  }
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  if (types.length > POLICY_TYPES.length) {
    const listed = types.map((t: unknown) => JSON.stringify(text(t))).join(', ');
    errors.push(
      fieldInvalid(
        'spec.policyTypes',
        goRaw(`[]networking.PolicyType{${listed}}`),
        'may not specify more than two policyTypes',
      ),
    );
    return errors;
  }
  types.forEach((t: unknown, i) => {
    if (!POLICY_TYPES.includes(text(t))) {
      errors.push(fieldNotSupported(`spec.policyTypes[${i}]`, goString(t), ['Ingress', 'Egress']));
    }
  });
  return errors;
}

export const networkPolicyKind = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'networkpolicies',
  kind: 'NetworkPolicy',
  scope: 'Namespaced',
  shortNames: ['netpol'],
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Pod-Selector', (o) => formatLabelSelector(getPath(o, 'spec.podSelector') ?? {}), {
      description:
        // The printer reads extensions/v1beta1's doc (double spaces included).
        'Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
    }),
    AGE_COLUMN,
  ],
  defaultOnWrite(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : (obj.spec = {});
    spec.podSelector ??= {};
    for (const direction of ['ingress', 'egress']) {
      for (const rule of objectItems(spec[direction])) {
        for (const port of objectItems(rule.ports)) {
          port.protocol ??= 'TCP';
        }
      }
    }
    // SetDefaults_NetworkPolicy: no policyTypes means Ingress, plus Egress when egress rules exist.
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
      spec.policyTypes = objectItems(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  validate: validateNetworkPolicy,
});

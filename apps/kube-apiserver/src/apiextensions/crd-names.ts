import type { KubeObject } from '../object/types';
import { crdSpec, crdStatus, type CrdCondition, type CrdNames } from './crd-types';

export interface NamingResult {
  acceptedNames: CrdNames;
  namesAccepted: CrdCondition;
  established: CrdCondition;
}

/**
 * The naming controller's calculateNamesAndConditions: the requested names are accepted unless
 * another CRD of the same group already accepted one of them (plural, singular and short names
 * share one namespace, kind and listKind another); names in conflict keep their accepted value,
 * and the condition reports the last conflict checked (plural, singular, shortNames, kind, listKind).
 */
export function calculateNames(crd: KubeObject, others: KubeObject[]): NamingResult {
  const group = crdSpec(crd).group;
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    if (crdSpec(other).group !== group || other.metadata.name === crd.metadata.name) {
      continue;
    }
    const accepted = crdStatus(other).acceptedNames ?? {};
    for (const n of [accepted.plural, accepted.singular, ...(accepted.shortNames ?? [])]) {
      if (n) {
        resources.add(n);
      }
    }
    for (const n of [accepted.kind, accepted.listKind]) {
      if (n) {
        kinds.add(n);
      }
    }
  }
  const requested = crdSpec(crd).names ?? {};
  const accepted: CrdNames = { ...(crdStatus(crd).acceptedNames ?? {}) };
  let conflict: { reason: string; message: string } | undefined;
  const inUse = (name: string) => `"${name}" is already in use`;
  const take = <K extends keyof CrdNames>(
    field: K,
    reason: string,
    used: Set<string>,
    values: string[],
  ) => {
    const clash = values.find((v) => used.has(v));
    if (clash !== undefined) {
      conflict = { reason, message: inUse(clash) }; // the last conflict found is reported
    } else {
      accepted[field] = requested[field];
    }
  };
  take('plural', 'PluralConflict', resources, requested.plural ? [requested.plural] : []);
  take('singular', 'SingularConflict', resources, requested.singular ? [requested.singular] : []);
  take('shortNames', 'ShortNamesConflict', resources, requested.shortNames ?? []);
  take('kind', 'KindConflict', kinds, requested.kind ? [requested.kind] : []);
  take('listKind', 'ListKindConflict', kinds, requested.listKind ? [requested.listKind] : []);
  accepted.categories = requested.categories;
  for (const key of Object.keys(accepted) as (keyof CrdNames)[]) {
    if (accepted[key] === undefined) {
      delete accepted[key];
    }
  }
  const namesAccepted: CrdCondition = conflict
    ? { type: 'NamesAccepted', status: 'False', ...conflict }
    : {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
      };
  const previous = (crdStatus(crd).conditions ?? []).find((c) => c.type === 'Established');
  let established: CrdCondition = previous ?? {
    type: 'Established',
    status: 'False',
    reason: 'NotAccepted',
    message: 'not all names are accepted',
  };
  if (established.status !== 'True' && namesAccepted.status === 'True') {
    established = {
      type: 'Established',
      status: 'False',
      reason: 'Installing',
      message: 'the initial names have been accepted',
    };
  }
  return { acceptedNames: accepted, namesAccepted, established };
}

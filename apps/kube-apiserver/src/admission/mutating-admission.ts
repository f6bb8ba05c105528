import type { KubeObject } from '../api/types';
import type { ResourceType } from '../registry/resource-type';
import {
  admitDefaultTolerationSeconds,
  type DefaultTolerationSecondsOptions,
} from './default-toleration-seconds';

/**
 * Mutating admission for writes to a resource's main path (not its subresources): runs after
 * defaulting, before validation, on creates and updates (`old` set), as upstream's chain does.
 */
export type MutatingAdmission = (
  type: ResourceType,
  obj: KubeObject,
  old: KubeObject | undefined,
) => void;

export interface AdmissionOptions {
  defaultTolerationSeconds: DefaultTolerationSecondsOptions;
}

/** The built-in mutating plugins, in upstream's order. */
export function builtinMutatingAdmission(options: AdmissionOptions): MutatingAdmission {
  return (type, obj) => {
    if (type.group === '' && type.kind === 'Pod') {
      admitDefaultTolerationSeconds(obj, options.defaultTolerationSeconds);
    }
  };
}

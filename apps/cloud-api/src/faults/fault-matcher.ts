import type { FaultMatchDto, FaultTriggerDto } from '@app/cloud-contracts';

/** What a rule can match on; the resource (name, labels) is looked up only when a rule asks. */
export interface FaultCall {
  operation: string;
  method: string;
  resourceType: string;
  resourceId?: string;
  projectId: string;
  tokenName: string;
  now: number;
  resource(): { name?: string; labels?: Record<string, string> } | undefined;
}

const globCache = new Map<string, RegExp>();

/** `*` = any run of characters, `?` = one character; everything else is literal. */
export function globMatches(glob: string, value: string): boolean {
  let re = globCache.get(glob);
  if (!re) {
    const source = glob
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`);
    globCache.set(glob, re);
  }
  return re.test(value);
}

export function inWindow(trigger: FaultTriggerDto, now: number): boolean {
  return (
    (trigger.from === undefined || now >= Date.parse(trigger.from)) &&
    (trigger.until === undefined || now < Date.parse(trigger.until))
  );
}

/** Every given criterion must hold; cheap ones first, the resource lookup last. */
export function matchesCall(match: FaultMatchDto, call: FaultCall): boolean {
  if (match.operation !== undefined && !globMatches(match.operation, call.operation)) {
    return false;
  }
  if (match.method !== undefined && match.method !== call.method) {
    return false;
  }
  if (match.resourceType !== undefined && match.resourceType !== call.resourceType) {
    return false;
  }
  if (match.project !== undefined && match.project !== call.projectId) {
    return false;
  }
  if (match.tokenName !== undefined && match.tokenName !== call.tokenName) {
    return false;
  }
  if (
    match.resourceId !== undefined &&
    (call.resourceId === undefined || !globMatches(match.resourceId, call.resourceId))
  ) {
    return false;
  }
  if (match.resourceName === undefined && match.labels === undefined) {
    return true;
  }
  const resource = call.resource();
  if (
    match.resourceName !== undefined &&
    (resource?.name === undefined || !globMatches(match.resourceName, resource.name))
  ) {
    return false;
  }
  const labels = resource?.labels ?? {};
  return Object.entries(match.labels ?? {}).every(([key, value]) => labels[key] === value);
}

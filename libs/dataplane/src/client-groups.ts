import { parseClient, SourceRanges } from './source-ranges';
import type { ClientGroupSpec } from './types';

/**
 * Which backends a client may use, by its source address (ClientGroupSpec): kube-proxy's
 * `internalTrafficPolicy: Local`, where a client's address tells the node it runs on. The
 * client's address is parsed once per connection and matched against each group in order.
 */
export class ClientGroups {
  private readonly groups: { sources: SourceRanges; backends: ReadonlySet<string> }[];

  /** Throws RangeError naming the first group with no sources or a source that is not a CIDR. */
  constructor(specs: readonly ClientGroupSpec[] = []) {
    this.groups = specs.map((g) => {
      if (g.sources.length === 0) {
        throw new RangeError(`client group "${g.name}" has no sources`);
      }
      return { sources: new SourceRanges(g.sources), backends: new Set(g.backends) };
    });
  }

  /** The backend ids `client` may use; undefined when every backend may take it. */
  backendsFor(client: string): ReadonlySet<string> | undefined {
    if (this.groups.length === 0) {
      return undefined;
    }
    const address = parseClient(client);
    if (!address) {
      return undefined;
    }
    return this.groups.find((g) => g.sources.contains(address))?.backends;
  }
}

import type * as Cel from '@bufbuild/cel';
import type * as CelExtensions from '@bufbuild/cel/ext';

interface CelLibrary {
  cel: typeof Cel;
  extensions: typeof CelExtensions;
}

let loaded: CelLibrary | undefined;

/**
 * @bufbuild/cel, loaded on first use: only CRDs with `x-kubernetes-validations` need it, and
 * loading it up front cost every `nimbus up` start ~50 ms of its single busy thread.
 */
export function celLibrary(): CelLibrary {
  /* eslint-disable @typescript-eslint/no-require-imports -- a deliberately lazy load */
  loaded ??= {
    cel: require('@bufbuild/cel') as typeof Cel,
    extensions: require('@bufbuild/cel/ext') as typeof CelExtensions,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return loaded;
}

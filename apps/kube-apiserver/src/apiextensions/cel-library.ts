import type * as Cel from '@bufbuild/cel';
import type { CelEnv, CelInput } from '@bufbuild/cel';
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

/** A compiled CEL expression: evaluates to a value or a CelError. */
export type CelProgram = (bindings: Record<string, CelInput>) => unknown;

let env: CelEnv | undefined;
const programs = new Map<string, CelProgram | Error>();

/**
 * A compiled expression (cached by its text), or the parse error: the core CEL language and the
 * `strings` extension library, shared by CRD validation rules and ValidatingAdmissionPolicies.
 */
export function compileCel(expression: string): CelProgram | Error {
  let program = programs.get(expression);
  if (!program) {
    try {
      const { cel, extensions } = celLibrary();
      env ??= cel.celEnv({ funcs: extensions.strings });
      const planned = cel.plan(env, cel.parse(expression));
      program = (bindings) => planned(bindings);
    } catch (error) {
      program = error instanceof Error ? error : new Error(String(error));
    }
    programs.set(expression, program);
  }
  return program;
}

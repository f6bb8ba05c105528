import type * as Protobufjs from 'protobufjs';

let loaded: typeof Protobufjs | undefined;

/**
 * protobufjs, loaded on first use: only protobuf clients (kubectl and client-go for some kinds)
 * need it, and loading it with the server cost every `nimbus up` start ~35 ms.
 */
export function protobufjs(): typeof Protobufjs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberately lazy load
  loaded ??= require('protobufjs') as typeof Protobufjs;
  return loaded;
}

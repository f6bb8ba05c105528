import { applyPatch, type Operation } from 'fast-json-patch';
import { cloneJson } from '../object/types';
import { KubeError, badRequest } from '../errors/kube-error';

/** RFC 6902 JSON patch (add, remove, replace, test, move, copy). */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  try {
    return applyPatch(cloneJson(target), patch as Operation[], true, false).newDocument;
  } catch (error) {
    const name = (error as { name?: string }).name;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (name === 'TEST_OPERATION_FAILED') {
      throw new KubeError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: testing value failed`,
      );
    }
    throw new KubeError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${message}`,
    );
  }
}

import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** `json` = RFC 6902 JSON Patch (a list of operations, `test` included). */
export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, PatchStrategy> = {
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
  json: PatchStrategy.JsonPatch,
};

export const contentType = (type: PatchType) =>
  setHeaderOptions('Content-Type', PATCH_CONTENT_TYPES[type]);

/** `json` = RFC 6902 JSON Patch (a list of operations, `test` included). */
export type PatchType = 'merge' | 'strategic' | 'json';

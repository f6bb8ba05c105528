/** A JSON object as the api-server stores it and informers deliver it. */
export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The objects of a JSON list (anything else left out). */
export const objectsIn = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

export const text = (v: unknown): string => (typeof v === 'string' ? v : '');

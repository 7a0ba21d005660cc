import type { Mode } from '../api';

/** An API as the schema has it (`Api`), and what the panel's pages ask of it. */
export interface ApiPermission {
  name: string;
  description: string;
}
export interface Api {
  id: string;
  identifier: string;
  name: string;
  mode: Mode;
  permissions: ApiPermission[];
  tokenTtlSeconds: number | null;
  alg: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface Grant {
  clientId: string;
  permissions: string[];
}

export const API_FIELDS =
  'id identifier name mode permissions { name description } tokenTtlSeconds alg createdAt updatedAt';

/** The algorithms an API may sign with; '' is the deployment's JWT_ALG. */
export const ALGS = ['ES256', 'RS256', 'EdDSA'] as const;
export const algLabel = (alg: string | null): string => alg ?? 'Deployment default';

/** A year: the server's largest cap. */
export const TTL_MAX_SECONDS = 365 * 24 * 3600;

/** A lifetime cap in words: "3600 s (1 hour)"; null, no cap. */
export function ttlLabel(seconds: number | null): string {
  if (seconds === null) return 'Each door’s own';
  const units: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${seconds} s (${n} ${unit}${n === 1 ? '' : 's'})`;
    }
  }
  return `${seconds} s`;
}

/** An API page's address below /panel: its identifier is one path segment, encoded. */
export const apiPath = (identifier: string, mode: Mode): string =>
  `/apis/${encodeURIComponent(identifier)}${mode === 'TEST' ? '?mode=test' : ''}`;

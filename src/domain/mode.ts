export const MODES = ['live', 'test'] as const;
export type Mode = (typeof MODES)[number];

export const isMode = (v: unknown): v is Mode => v === 'live' || v === 'test';

/** Stripe-style prefixes: the mode is readable from every id and secret. */
export const clientIdPrefix = (mode: Mode): string => `cl_${mode}_`;
export const secretPrefix = (mode: Mode): string => `sk_${mode}_`;

/** The mode a client id claims by its prefix, or undefined for an id of no known shape. */
export function modeOfClientId(id: string): Mode | undefined {
  if (id.startsWith('cl_live_')) return 'live';
  if (id.startsWith('cl_test_')) return 'test';
  return undefined;
}

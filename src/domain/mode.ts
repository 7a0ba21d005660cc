/** Live or test: decided by the address called, carried by every id and secret (spec §1). */
export type Mode = 'live' | 'test';

/** Stripe-style prefixes: the mode is readable from every id and secret. */
export const clientIdPrefix = (mode: Mode): string => `cl_${mode}_`;
export const secretPrefix = (mode: Mode): string => `sk_${mode}_`;

/** The mode a client id names: `cl_test_…` is test, every other id live. */
export const modeOfClientId = (clientId: string): Mode =>
  clientId.startsWith(clientIdPrefix('test')) ? 'test' : 'live';

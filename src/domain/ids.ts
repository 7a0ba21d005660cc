import { clientIdPrefix, secretPrefix, type Mode } from './mode.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of 16 random bytes (128 bits): 22 characters that survive a double-click copy. */
function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out.padStart(22, '0');
}

export const newClientId = (mode: Mode, random16: Buffer): string => clientIdPrefix(mode) + base62(random16);

/** 256 bits, base64url: `sk_live_` + 43 characters. */
export const newClientSecret = (mode: Mode, random32: Buffer): string =>
  secretPrefix(mode) + random32.toString('base64url');

/** An operator's id: opaque, never shown in a URL a stranger could guess from. */
export const newOperatorId = (random16: Buffer): string => `op_${base62(random16)}`;

import { randomBytes } from 'node:crypto';
import type { Clock, Random } from '../usecases/ports.js';

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Random = { bytes: (n) => randomBytes(n) };

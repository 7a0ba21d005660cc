/* Time and randomness, passed in: tests use a fixed clock and fixed bytes, never `Date.now()`. */

/** Time, passed in so tests run on a fixed clock. Epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** Randomness from a CSPRNG, passed in like time. */
export interface Random {
  bytes(length: number): Buffer;
}

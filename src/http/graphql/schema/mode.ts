import type { Mode as DomainMode } from '../../../domain/mode.js';
import { builder } from '../builder.js';

/** Live or test: ids, secrets, issuers and signing keys of one mode never work in the other. */
export const Mode = builder.enumType('Mode', {
  description: 'Live or test. The mode of every operation is the mode of the address called.',
  values: {
    LIVE: { value: 'live' satisfies DomainMode },
    TEST: { value: 'test' satisfies DomainMode },
  } as const,
});

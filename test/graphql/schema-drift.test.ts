import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printSdl } from '../../src/http/graphql/schema.js';
import { ROOT } from '../support/process.js';

describe('schema/schema.graphql', () => {
  it('is the SDL the code builds: run `npm run schema:print` after changing a type', () => {
    const committed = readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8');
    expect(committed, 'schema/schema.graphql drifted from src/http/graphql; run npm run schema:print').toBe(printSdl());
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openapiText } from '../../src/http/openapi.js';
import { harness, type Harness } from '../support/harness.js';
import { ROOT } from '../support/process.js';

const committedText = (): string => readFileSync(join(ROOT, 'schema/openapi.json'), 'utf8');

describe('schema/openapi.json', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('is the document the route schemas build: run `npm run schema:openapi` after changing a route', () => {
    expect(committedText(), 'schema/openapi.json drifted from the route schemas; run npm run schema:openapi').toBe(
      openapiText(h.app),
    );
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(committedText()));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is checked by a validator that refuses a broken 3.1 document', async () => {
    const doc = JSON.parse(committedText());
    const op = doc.paths['/v1/auth/token'].post;
    delete op.responses['200'].description;
    op.parameters = [{ in: 'query' }];
    const result = await new Validator().validate(doc);
    expect(result.valid).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS, workerExecArgv } from '../../src/infra/heap.js';
import { ROOT } from '../support/process.js';

describe('the server processes’ V8 flags', () => {
  it('forks workers with the primary’s arguments plus the server flags', () => {
    expect(workerExecArgv(['--enable-source-maps'])).toEqual(['--enable-source-maps', '--max-semi-space-size=8']);
    expect(workerExecArgv([])).toEqual([...SERVER_NODE_FLAGS]);
  });

  it('keeps a size the operator chose, on the command line or in NODE_OPTIONS, in either spelling', () => {
    expect(workerExecArgv(['--max-semi-space-size=64'])).toEqual(['--max-semi-space-size=64']);
    expect(workerExecArgv(['--max_semi_space_size=32'])).toEqual(['--max_semi_space_size=32']);
    expect(workerExecArgv([], '--max-old-space-size=512 --max-semi-space-size=32')).toEqual([]);
    expect(workerExecArgv([], '--max-old-space-size=512')).toEqual([...SERVER_NODE_FLAGS]);
  });

  it('is what `npm start` runs the server with', () => {
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts.start!;
    expect(start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} dist/src/server.js`);
  });
});

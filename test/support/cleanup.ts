import { afterAll } from 'vitest';
import { removeTempDirs } from './process.js';

// Registered first, so it runs after every other afterAll of the file: servers are stopped by then.
afterAll(removeTempDirs);

import { MemoryStore } from '../support/memory-store.js';
import { describeStoreContract } from './contract.js';

describeStoreContract({ name: 'in-memory (unit tests)', open: async () => new MemoryStore(), backup: 'refused' });

import { describe } from 'node:test';
import { runFeatureStoreContract } from '../../../test/feature-store-contract.js';
import { MemoryFeatureStore } from './store.js';

describe('MemoryFeatureStore', () => {
  runFeatureStoreContract({ name: 'memory', open: async () => new MemoryFeatureStore() });
});

import { createDefaultEsmPreset } from 'ts-jest';

/** @type {import('jest').Config} */
export default {
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.json' }),
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/packages/gateway-sandbox/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: {
    // The workspace package resolves to its TypeScript source, so tests never need a build first (ADR 0014).
    '^@rbs-storefront/gateway-sandbox$': '<rootDir>/packages/gateway-sandbox/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 20000,
};

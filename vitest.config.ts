import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/node/**/*.test.ts'],
    // Tests that spawn `serve` run the bundle in out/main; build it once before any test starts.
    globalSetup: ['test/node/build-once.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
  define: { __STUDIO_VERSION__: JSON.stringify('0.0.0-test') },
});

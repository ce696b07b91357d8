import { defineConfig } from '@playwright/test';
import { chromiumExecutable, chromiumArgs } from './test/fixtures/chromium';

// End-to-end tests drive Debian's Chromium (no browser download here) against `serve`.
// Electron tests (electron.e2e.ts) run only where an Electron binary is installed.
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: /.*\.e2e\.ts/,
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs },
  },
});

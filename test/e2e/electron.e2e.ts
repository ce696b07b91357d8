// The studio in a real Electron window: the sandbox holds (no Node in the page), window.studio
// reaches main over IPC, events come back, the page is served on mentor-studio:// with its CSP.
// Skipped, with the reason printed, where no Electron binary is installed (it is never downloaded
// here); `npm run serve` and studio-shell.e2e.ts cover the same renderer in Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { tinyBundle } from '../fixtures/tiny-bundle';

type ElectronBinary = { missing: false; path: string; version: string | null } | { missing: true; reason: string };
type Step = { ok: true } | { ok: false; reason: string };
type ElectronScripts = {
  repoRoot: string;
  findElectronBinary(): ElectronBinary;
  useElectronAbi(): Step;
  useNodeAbi(): Step;
};

/** scripts/electron-binary.mjs is plain JavaScript without declarations; loaded by URL and typed here. */
async function loadElectronScripts(): Promise<ElectronScripts> {
  const url = new URL('../../scripts/electron-binary.mjs', import.meta.url).href;
  return (await import(url)) as ElectronScripts;
}

test('the Electron window is sandboxed and reaches main only through window.studio', async () => {
  const testInfo = test.info();
  const scripts = await loadElectronScripts();
  const binary = scripts.findElectronBinary();
  if (binary.missing) {
    console.log(`electron.e2e.ts: skipped, no Electron binary (${binary.reason})`);
    test.skip(true, `No Electron binary: ${binary.reason}`);
    return;
  }
  // Rebuilding better-sqlite3 for Electron (and back) can mean compiling it.
  test.setTimeout(10 * 60_000);

  // better-sqlite3 must match Electron's ABI while the app runs, and Node's again afterwards for
  // the other tests and `serve` (see scripts/start-electron.mjs).
  const toElectron = scripts.useElectronAbi();
  if (!toElectron.ok) {
    scripts.useNodeAbi();
    throw new Error(`Could not rebuild native modules for Electron: ${toElectron.reason}`);
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'mentor-studio-electron-'));
  try {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE' && key !== 'ELECTRON_RENDERER_URL') {
        env[key] = value;
      }
    }
    env['MENTOR_STUDIO_HOME'] = home;
    // Chromium will not start as root with its OS sandbox (containers, CI); test/fixtures/chromium.ts
    // does the same. The page-level sandbox this test checks (`sandbox: true`, no Node) is unaffected.
    const chromiumArgs = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];

    // Launched on the repository root (package.json "main" → out/main/electron.cjs), like npm start.
    const app = await electron.launch({
      executablePath: binary.path,
      args: [...chromiumArgs, scripts.repoRoot],
      cwd: scripts.repoRoot,
      env,
    });
    try {
      const page = await app.firstWindow();
      await expect(page.getByRole('heading', { name: 'MENTOR Studio' })).toBeVisible({ timeout: 30_000 });
      expect(page.url()).toBe('mentor-studio://app/index.html');

      const globals = await page.evaluate(() => {
        const scope = globalThis as Record<string, unknown>;
        const studio = scope['studio'] as Record<string, unknown> | undefined;
        return {
          studio: typeof studio,
          on: typeof studio?.['on'],
          ipcRenderer: typeof studio?.['ipcRenderer'],
          require: typeof scope['require'],
          process: typeof scope['process'],
          module: typeof scope['module'],
        };
      });
      expect(globals).toEqual({
        studio: 'object',
        on: 'function',
        ipcRenderer: 'undefined',
        require: 'undefined',
        process: 'undefined',
        module: 'undefined',
      });

      // The page has no DOM typings here (tsconfig.node.json); `location` is reached through globalThis.
      const csp = await page.evaluate(async () => {
        const { location } = globalThis as unknown as { location: { href: string } };
        return (await fetch(location.href)).headers.get('content-security-policy');
      });
      expect(csp).toContain("script-src 'self'");

      // A call over IPC, and the event it causes coming back to the window.
      const outcome = await page.evaluate(async () => {
        type Studio = {
          app: { health(input: object): Promise<unknown> };
          boards: { create(input: { name: string }): Promise<{ ok: boolean; value?: { id: string } }> };
          on(event: string, listener: (payload: unknown) => void): () => void;
        };
        const studio = (globalThis as unknown as { studio: Studio }).studio;
        const events: unknown[] = [];
        const off = studio.on('boards:changed', (payload) => events.push(payload));
        const health = await studio.app.health({});
        const created = await studio.boards.create({ name: 'Made in Electron' });
        for (let waited = 0; events.length === 0 && waited < 5_000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        off();
        return { health, created, events };
      });
      expect(outcome.health).toMatchObject({ ok: true, value: { transport: 'electron', dataFolder: path.resolve(home) } });
      expect(outcome.created.ok).toBe(true);
      expect(outcome.events).toContainEqual({ boardId: outcome.created.value?.id, change: 'created' });

      // Navigation away from the studio is refused.
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://evil.example/';
      });
      await page.waitForTimeout(500);
      expect(page.url()).toBe('mentor-studio://app/index.html');

      // Models → Browse… opens the system's folder chooser and imports the folder chosen. The native
      // dialog cannot be driven from here, so main's `dialog.showOpenDialog` answers with the bundle.
      const bundle = await tinyBundle();
      await app.evaluate(({ dialog }, chosen) => {
        const answer = { canceled: false, filePaths: [chosen] };
        dialog.showOpenDialog = (async () => answer) as unknown as typeof dialog.showOpenDialog;
      }, bundle);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
      await page.getByRole('button', { name: 'Browse…' }).click();
      await expect(page.getByText('gpt-tiny-random-init')).toBeVisible({ timeout: 60_000 });

      const screenshot = await page.screenshot({ path: testInfo.outputPath('electron-shell.png') });
      await testInfo.attach('electron shell', { body: screenshot, contentType: 'image/png' });
    } finally {
      await app.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
    const toNode = scripts.useNodeAbi();
    if (!toNode.ok) {
      console.error(`electron.e2e.ts: could not rebuild better-sqlite3 for Node (${toNode.reason}); run: npm rebuild better-sqlite3`);
    }
  }
});

// Every page at the three window sizes the studio promises, in both themes: a screenshot of each, no
// horizontal overflow of the page, every region of the page on screen, and no console errors.
import { test, expect, type Page } from '@playwright/test';
import { fillLibrary } from '../fixtures/fill-library';
import { startServe, temporaryHome, type ServeProcess } from '../fixtures/serve-process';
import { rpc, watchPageErrors } from '../fixtures/studio-page';
import { tinyBundle } from '../fixtures/tiny-bundle';

let serve: ServeProcess;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const home = temporaryHome();
  // Enough images for several gallery rows, and boards with long names to wrap or cut.
  await fillLibrary(home, { count: 240, boards: 4 });
  serve = await startServe({ home });
  await rpc(serve, 'models:import', { path: await tinyBundle() });
  await rpc(serve, 'boards:create', { name: 'A board with a rather long name that must not push the layout sideways' });
});

test.afterAll(async () => {
  await serve?.stop();
});

const sizes = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 2560, height: 1440 },
] as const;
const themes = ['light', 'dark'] as const;
const pageChecks = [
  { name: 'studio', link: 'Studio', regions: ['Boards', 'Board canvas', 'Queue'] },
  { name: 'gallery', link: 'Gallery', regions: ['Gallery'] },
  { name: 'models', link: 'Models', regions: ['Models'] },
] as const;

/** The browser globals these checks read (this file is type-checked without the DOM library). */
type BrowserGlobals = {
  innerWidth: number;
  innerHeight: number;
  document: { documentElement: { scrollWidth: number; scrollHeight: number }; body: unknown };
  getComputedStyle(element: unknown): { backgroundColor: string };
  localStorage: { setItem(key: string, value: string): void };
};

async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; scrollHeight: number; innerHeight: number }> {
  return page.evaluate(() => {
    const { document, innerWidth, innerHeight } = globalThis as unknown as BrowserGlobals;
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, scrollHeight: document.documentElement.scrollHeight, innerHeight };
  });
}

for (const theme of themes) {
  test(`every page at 1280×800, 1920×1080 and 2560×1440 in the ${theme} theme`, async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    const errors = watchPageErrors(page);
    // The theme toggle's choice, as the studio remembers it.
    await page.addInitScript((mode) => (globalThis as unknown as BrowserGlobals).localStorage.setItem('mentor-studio.theme', mode), theme);
    await page.goto(serve.link);
    await expect(page.getByRole('heading', { name: 'MENTOR Studio' })).toBeVisible();
    const background = await page.evaluate(() => {
      const browser = globalThis as unknown as BrowserGlobals;
      return browser.getComputedStyle(browser.document.body).backgroundColor;
    });
    // Light and dark really differ (dark backgrounds have low channel values).
    const channels = background.match(/\d+/g)!.slice(0, 3).map(Number);
    expect(theme === 'dark' ? Math.max(...channels) < 80 : Math.min(...channels) > 200).toBe(true);

    for (const size of sizes) {
      await page.setViewportSize(size);
      for (const check of pageChecks) {
        await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: check.link }).click();
        for (const region of check.regions) {
          const box = await page.getByRole('region', { name: region, exact: true }).boundingBox();
          expect(box, `${region} on ${check.name} at ${size.width}×${size.height}`).not.toBeNull();
          expect(box!.x).toBeGreaterThanOrEqual(0);
          expect(box!.x + box!.width).toBeLessThanOrEqual(size.width + 0.5);
        }
        if (check.name === 'gallery') {
          await expect(page.getByRole('region', { name: 'Gallery' }).getByRole('status')).toHaveText('240 images');
          await expect(page.locator('[data-generation-id] img').first()).toBeVisible();
        }
        if (check.name === 'models') {
          await expect(page.getByRole('table', { name: 'Installed models' })).toBeVisible();
        }
        const measured = await overflow(page);
        expect(measured.scrollWidth, `horizontal overflow on ${check.name} at ${size.width}×${size.height}`).toBeLessThanOrEqual(measured.innerWidth);
        expect(measured.scrollHeight, `vertical overflow on ${check.name} at ${size.width}×${size.height}`).toBeLessThanOrEqual(measured.innerHeight);
        const name = `${check.name}-${size.width}x${size.height}-${theme}`;
        const shot = await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
        await testInfo.attach(name, { body: shot, contentType: 'image/png' });
      }
    }
    expect(errors).toEqual([]);
  });
}

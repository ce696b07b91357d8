// Re-run from the gallery: generate two variations with the tiny bundle and a reference, open the stack,
// re-run the second variation, and the new image is the same PNG, pixel for pixel.
import { test, expect } from '@playwright/test';
import sharp from 'sharp';
import { referencePng } from '../fixtures/engine-harness';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { fetchAsset, rpc, waitForStatus, watchPageErrors } from '../fixtures/studio-page';
import { tinyBundle } from '../fixtures/tiny-bundle';

let serve: ServeProcess;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const bundle = await tinyBundle();
  serve = await startServe();
  await rpc(serve, 'models:import', { path: bundle });
});

test.afterAll(async () => {
  await serve?.stop();
});

async function pixels(png: Buffer): Promise<Buffer> {
  return sharp(png).raw().toBuffer();
}

test('re-running a variation from the gallery makes a pixel-identical image', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchPageErrors(page);
  const [model] = (await rpc(serve, 'models:list', {})).models;
  const reference = await rpc(serve, 'assets:import', { name: 'cat.png', dataBase64: (await referencePng()).toString('base64') });
  const prompt = 'The cat in <image>. A cat as a pixel-art hero';
  const queued = await rpc(serve, 'generations:enqueue', {
    modelId: model!.id,
    prompt,
    references: [reference.sha256],
    seed: '20260101',
    count: 2,
    params: { temperature: 0.9, topK: 50 },
  });
  const originals = await Promise.all(queued.generations.map((row) => waitForStatus(serve, row.id, ['done', 'failed'])));
  expect(originals.map((row) => row.status)).toEqual(['done', 'done']);
  const second = originals.find((row) => row.variation === 1)!;

  await page.goto(serve.link);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Gallery' }).click();
  const gallery = page.getByRole('region', { name: 'Gallery' });
  await expect(gallery.getByRole('status')).toHaveText('2 images');
  // One stack of two; opened, each variation has its own tile.
  await gallery.getByRole('button', { name: 'Show 2 variations' }).click();
  await gallery.locator(`[data-generation-id="${second.id}"]`).getByRole('button', { name: prompt }).click();
  const details = gallery.getByRole('complementary', { name: 'Image details' });
  await expect(details).toContainText(second.seed);
  await expect(details).toContainText(/Variation\s*2/);

  await details.getByRole('button', { name: 'Re-run' }).click();
  await expect(page.getByText('Re-run queued')).toBeVisible();
  // The new image arrives in the gallery by itself.
  await expect(gallery.getByRole('status')).toHaveText('3 images', { timeout: 60_000 });

  const done = (await rpc(serve, 'generations:search', { text: 'pixel' })).generations;
  const rerun = done.find((row) => !originals.some((original) => original.id === row.id))!;
  expect(rerun).toMatchObject({ prompt, seed: second.seed, variation: 1, references: [reference.sha256], params: second.params });
  expect(rerun.batchId).not.toBe(second.batchId);
  // The same PNG (the library addresses it by the same sha256), and the same pixels read back as the page gets them.
  expect(rerun.resultSha256).toBe(second.resultSha256);
  const [before, after] = await Promise.all([fetchAsset(serve, second.resultSha256!), fetchAsset(serve, rerun.resultSha256!)]);
  const [beforePixels, afterPixels] = await Promise.all([pixels(before), pixels(after)]);
  expect(afterPixels.length).toBeGreaterThan(0);
  expect(afterPixels.equals(beforePixels)).toBe(true);
  testInfo.annotations.push({ type: 're-run', description: `variation 2 re-run: same sha256 ${rerun.resultSha256}, ${afterPixels.length} identical pixel bytes` });
  // And it is not trivially so: the other variation is a different image.
  const first = originals.find((row) => row.variation === 0)!;
  expect(first.resultSha256).not.toBe(second.resultSha256);

  await testInfo.attach('rerun', { body: await page.screenshot({ path: testInfo.outputPath('rerun.png') }), contentType: 'image/png' });
  expect(errors).toEqual([]);
});

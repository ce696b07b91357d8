// The queue panel with a real engine: three batches of the tiny bundle, rows slowed down so each state
// can be caught; pause, cancel the running one, reorder, resume — each state shown in the panel — and
// the other batches finish.
import { test, expect, type Locator } from '@playwright/test';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { rpc, waitForStatus, watchPageErrors } from '../fixtures/studio-page';
import { tinyBundle } from '../fixtures/tiny-bundle';

let serve: ServeProcess;
let modelId: string;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const bundle = await tinyBundle();
  // 8 image rows × 800 ms: a batch runs for about seven seconds, time enough to act on it.
  serve = await startServe({ env: { MENTOR_ENGINE_TEST_DECODE_DELAY_MS: '800' } });
  modelId = (await rpc(serve, 'models:import', { path: bundle })).id;
});

test.afterAll(async () => {
  await serve?.stop();
});

test('queue three jobs, pause, cancel the running one, reorder, resume: the panel shows each state and the rest finish', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchPageErrors(page);
  const snap = async (name: string) => {
    await testInfo.attach(name, { body: await page.screenshot({ path: testInfo.outputPath(`${name}.png`) }), contentType: 'image/png' });
  };

  await page.goto(serve.link);
  const queue = page.getByRole('region', { name: 'Queue' });
  await expect(queue.getByText('Queue is empty')).toBeVisible();

  const prompts = ['first job: a red fox in the snow', 'second job: an owl at dawn', 'third job: a paper boat by the sea'];
  const batches: { batchId: string; id: string }[] = [];
  for (const prompt of prompts) {
    const queued = await rpc(serve, 'generations:enqueue', { modelId, prompt, references: [], seed: '11', count: 1 });
    batches.push({ batchId: queued.batchId, id: queued.generations[0]!.id });
  }
  const item = (index: number): Locator => queue.getByRole('listitem').filter({ hasText: prompts[index]! });

  // The first runs with a live preview and its progress line; the others wait.
  await expect(item(0)).toContainText('Running', { timeout: 30_000 });
  await expect(item(0).getByRole('img', { name: 'Live preview' })).toBeVisible({ timeout: 30_000 });
  await expect(item(0)).toContainText(/Row \d+ of 8 · [\d.]+ tokens\/s · ETA \d+ s/);
  await expect(item(1)).toContainText('Queued');
  await expect(item(2)).toContainText('Queued');
  // The preview changes as rows arrive.
  const firstPreview = await item(0).getByRole('img', { name: 'Live preview' }).getAttribute('src');
  await expect.poll(async () => item(0).getByRole('img', { name: 'Live preview' }).getAttribute('src'), { timeout: 10_000 }).not.toBe(firstPreview);
  await snap('running');

  // Pause: said clearly; the running batch could finish, but we cancel it.
  await queue.getByRole('button', { name: 'Pause queue' }).click();
  await expect(queue.getByText('Paused', { exact: true })).toBeVisible();
  await expect(queue.getByRole('button', { name: 'Resume queue' })).toBeVisible();
  await item(0).getByRole('button', { name: 'Cancel' }).click();
  await expect(item(0)).toContainText('Cancelled');
  await expect(item(0).getByRole('button', { name: 'Resume' })).toBeVisible();
  expect((await rpc(serve, 'generations:get', { id: batches[0]!.id })).status).toBe('cancelled');

  // Paused: nothing new starts.
  await page.waitForTimeout(1500);
  await expect(item(1)).toContainText('Queued');
  expect((await rpc(serve, 'generations:get', { id: batches[1]!.id })).status).toBe('queued');

  // The third moves ahead of the second.
  await expect(item(1).getByRole('button', { name: 'Move up' })).toBeDisabled();
  await item(2).getByRole('button', { name: 'Move up' }).click();
  const waiting = queue.getByRole('list', { name: 'Running and queued' }).getByRole('listitem');
  await expect(waiting.nth(0)).toContainText(prompts[2]!);
  await expect(waiting.nth(1)).toContainText(prompts[1]!);
  await snap('paused-reordered');

  await queue.getByRole('button', { name: 'Resume queue' }).click();
  await expect(queue.getByText('Paused', { exact: true })).toBeHidden();
  await expect(item(2)).toContainText('Running', { timeout: 30_000 });
  await expect(item(1)).toContainText('Queued');
  await expect(item(2)).toContainText('Done', { timeout: 60_000 });
  await expect(item(1)).toContainText('Done', { timeout: 60_000 });

  const second = await waitForStatus(serve, batches[1]!.id, ['done']);
  const third = await waitForStatus(serve, batches[2]!.id, ['done']);
  expect(third.finishedAt!).toBeLessThanOrEqual(second.startedAt!);
  // Finished batches offer their images to drag onto a board.
  await expect(item(1).getByRole('img', { name: 'Variation 1' })).toBeVisible();

  // The cancelled batch goes back to the queue and finishes too.
  await item(0).getByRole('button', { name: 'Resume' }).click();
  await expect(item(0)).toContainText(/Queued|Running/);
  await expect(item(0)).toContainText('Done', { timeout: 60_000 });
  expect((await rpc(serve, 'generations:get', { id: batches[0]!.id })).status).toBe('done');
  await snap('all-done');
  expect(errors).toEqual([]);
});

test('Esc cancels the running batch, but not while typing in a field', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchPageErrors(page);
  await page.goto(serve.link);
  const queue = page.getByRole('region', { name: 'Queue' });
  const prompt = 'escape job: a brass teapot';
  const queued = await rpc(serve, 'generations:enqueue', { modelId, prompt, references: [], count: 1 });
  const item = queue.getByRole('listitem').filter({ hasText: prompt });
  await expect(item).toContainText('Running', { timeout: 30_000 });

  // Esc in a text field belongs to the field.
  await page.getByRole('button', { name: 'New board' }).click();
  const dialog = page.getByRole('dialog', { name: 'New board' });
  await dialog.getByRole('textbox', { name: 'Name' }).press('Escape');
  await expect(dialog).toBeHidden();
  expect((await rpc(serve, 'generations:get', { id: queued.generations[0]!.id })).status).toBe('running');

  await page.getByRole('heading', { name: 'MENTOR Studio' }).click();
  await page.keyboard.press('Escape');
  await expect(item).toContainText('Cancelled');
  expect((await waitForStatus(serve, queued.generations[0]!.id, ['cancelled', 'done'])).status).toBe('cancelled');
  expect(errors).toEqual([]);
});

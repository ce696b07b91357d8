// Must-show 1, the main flow on the board canvas with the real engine (tiny bundle): drop two images,
// write a prompt with two chips, generate four variations while the queue shows a live preview, pick
// one, drag it onto the composer, generate again, read the lineage in the "Board items" list, reload
// and find everything where it was; a generated PNG dropped on a new board brings back its reference
// and prompt. Then the editing tools on their own: select, rubber band, move, delete, undo/redo, paste,
// a library image dropped in, a broken file refused by name, zoom kept across a reload.
import { test, expect, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { fetchAsset, rpc, watchPageErrors } from '../fixtures/studio-page';
import { tinyBundle } from '../fixtures/tiny-bundle';
import { libraryImageMime } from '../../renderer/state/drag-types';

let serve: ServeProcess;

test.beforeAll(async () => {
  // The tiny bundle decodes 8 rows; slowed down so the live preview can be seen changing.
  serve = await startServe({ env: { MENTOR_ENGINE_TEST_DECODE_DELAY_MS: '300' } });
});

test.afterAll(async () => {
  await serve?.stop();
});

/** A small PNG with a pattern of its own, so the two references differ. */
async function patternPng(width: number, height: number, hue: number): Promise<string> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = (y * width + x) * 3;
      pixels[index] = (x * 4 + hue) % 256;
      pixels[index + 1] = (y * 4 + hue * 2) % 256;
      pixels[index + 2] = ((x ^ y) * 8 + hue) % 256;
    }
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return png.toString('base64');
}

type DroppedFile = { name: string; mime: string; base64: string };

/**
 * The browser globals the page-side callbacks below use. This file is compiled with Node's types
 * only, so they are named here; the callbacks run in Chromium, where they exist.
 */
interface PageGlobals {
  DataTransfer: new () => { items: { add(file: File): void }; setData(format: string, data: string): void };
  ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean }) => unknown;
  document: { activeElement: { dispatchEvent(event: unknown): boolean } | null };
}

/** Real drag events carrying real files, as the browser sends them for a drop from the desktop. */
async function dropFiles(page: Page, target: Locator, files: DroppedFile[], at: { x: number; y: number }): Promise<void> {
  const dataTransfer = await page.evaluateHandle((entries: DroppedFile[]) => {
    const { DataTransfer } = globalThis as unknown as PageGlobals;
    const transfer = new DataTransfer();
    for (const entry of entries) {
      const bytes = Uint8Array.from(atob(entry.base64), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], entry.name, { type: entry.mime }));
    }
    return transfer;
  }, files);
  const box = await target.boundingBox();
  if (box === null) {
    throw new Error('the drop target is not on screen');
  }
  const point = { clientX: box.x + at.x, clientY: box.y + at.y };
  await target.dispatchEvent('dragenter', { dataTransfer, ...point });
  await target.dispatchEvent('dragover', { dataTransfer, ...point });
  await target.dispatchEvent('drop', { dataTransfer, ...point });
}

test('drop two images, generate with both, feed a result back, see the lineage, reload', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  await rpc(serve, 'models:import', { path: await tinyBundle() });
  const errors = watchPageErrors(page);
  const snap = async (name: string) => {
    await testInfo.attach(name, { body: await page.screenshot({ path: testInfo.outputPath(`${name}.png`) }), contentType: 'image/png' });
  };

  await page.goto(serve.link);
  await page.getByRole('button', { name: 'New board' }).click();
  const dialog = page.getByRole('dialog', { name: 'New board' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Cat knight');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const canvas = page.getByRole('region', { name: 'Board canvas' });
  await expect(canvas.getByText('This board is empty')).toBeVisible();

  // Two references dropped from the "desktop"; both end up selected.
  const surface = canvas.getByRole('group', { name: 'Board surface' });
  await dropFiles(
    page,
    surface,
    [
      { name: 'cat.png', mime: 'image/png', base64: await patternPng(64, 48, 10) },
      { name: 'armour.png', mime: 'image/png', base64: await patternPng(48, 64, 120) },
    ],
    { x: 160, y: 160 },
  );
  const list = canvas.getByRole('list', { name: 'Board items' });
  const items = list.getByRole('listitem');
  await expect(list.getByRole('listitem', { name: 'Reference: cat.png' })).toHaveCount(1);
  await expect(list.getByRole('listitem', { name: 'Reference: armour.png' })).toHaveCount(1);
  await expect(canvas.getByText('This board is empty')).toBeHidden();
  await snap('references-dropped');

  // A prompt with two chips: text, then both selected items as references.
  const composer = page.getByRole('region', { name: 'Prompt composer' });
  const prompt = composer.getByRole('textbox', { name: 'Prompt' });
  await prompt.click();
  await page.keyboard.type('The cat in ');
  await canvas.getByRole('button', { name: 'Use as reference' }).click();
  await expect(composer.getByLabel('Image 1: Reference: cat.png')).toBeVisible();
  await expect(composer.getByLabel('Image 2: Reference: armour.png')).toBeVisible();
  await prompt.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' wearing armour, a pixel-art knight');
  await composer.getByRole('spinbutton', { name: 'Variations' }).fill('4');
  const generate = composer.getByRole('button', { name: 'Generate' });
  await expect(generate).toBeEnabled();
  await generate.click();

  // The queue shows the batch with a live preview that changes as rows arrive.
  const queue = page.getByRole('region', { name: 'Queue' });
  const preview = queue.getByRole('img', { name: 'Live preview' }).first();
  await expect(preview).toBeVisible({ timeout: 60_000 });
  const firstPreview = await preview.getAttribute('src');
  await expect.poll(async () => preview.getAttribute('src'), { timeout: 30_000 }).not.toBe(firstPreview);
  await snap('generating');

  // Four results land on the board, each made from both references.
  const results = list.getByRole('listitem', { name: /^Result \d+/ });
  await expect(results).toHaveCount(4, { timeout: 90_000 });
  for (const result of await results.all()) {
    await expect(result).toContainText('made from Reference: cat.png, Reference: armour.png');
  }

  // Pick result 2 and drag it from the canvas onto the composer: it becomes the reference of a new prompt.
  const picked = list.getByRole('listitem', { name: /^Result 2: The cat in/ });
  const pickedLabel = (await picked.getAttribute('aria-label'))!;
  await prompt.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type('A portrait of the knight in ');
  await canvas.getByRole('button', { name: 'Fit to screen' }).click();
  const box = await itemBox(page, picked);
  const target = (await prompt.boundingBox())!;
  const pickedId = await picked.getAttribute('data-item-id');
  const placeBefore = (await rpc(serve, 'items:list', { boardId: await currentBoardId() })).items.find((item) => item.id === pickedId)!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 40, { steps: 5 });
  await page.mouse.move(target.x + target.width - 30, target.y + target.height / 2, { steps: 15 });
  await page.mouse.up();
  await expect(composer.getByLabel(`Image 1: ${pickedLabel}`)).toBeVisible();
  // It snapped back: dragging onto the prompt does not move it on the board.
  const placeAfter = (await rpc(serve, 'items:list', { boardId: await currentBoardId() })).items.find((item) => item.id === pickedId)!;
  expect([placeAfter.x, placeAfter.y]).toEqual([placeBefore.x, placeBefore.y]);

  await composer.getByRole('spinbutton', { name: 'Variations' }).fill('1');
  await generate.click();
  const second = list.getByRole('listitem', { name: /^Result 5: A portrait of the knight/ });
  await expect(second).toHaveCount(1, { timeout: 90_000 });
  await expect(second).toContainText(`made from ${pickedLabel}`);
  await expect(items).toHaveCount(7);

  await canvas.getByRole('button', { name: 'Fit to screen' }).click();
  await snap('lineage-1280x800');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await canvas.getByRole('button', { name: 'Fit to screen' }).click();
  await snap('lineage-1920x1080');

  // A reload shows the same board: the items, their lineage, the view.
  const zoom = await canvas.getByRole('toolbar', { name: 'Canvas tools' }).getByText(/\d+ %/).textContent();
  await page.reload();
  await expect(items).toHaveCount(7);
  await expect(list.getByRole('listitem', { name: 'Reference: cat.png' })).toHaveCount(1);
  await expect(second).toContainText(`made from ${pickedLabel}`);
  await expect(list.getByRole('listitem', { name: pickedLabel })).toContainText('made from Reference: cat.png, Reference: armour.png');
  await expect(canvas.getByRole('toolbar', { name: 'Canvas tools' }).getByText(/\d+ %/)).toHaveText(zoom!);
  await snap('after-reload');

  // The PNG of the last result, dropped on a new board, brings back its reference and its prompt.
  const boardId = await currentBoardId();
  const lastResultId = await second.getAttribute('data-item-id');
  const lastResult = (await rpc(serve, 'items:list', { boardId })).items.find((item) => item.id === lastResultId)!;
  const resultPng = (await fetchAsset(serve, lastResult.assetSha256)).toString('base64');
  await page.getByRole('button', { name: 'New board' }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Restored');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(canvas.getByText('This board is empty')).toBeVisible();
  await dropFiles(page, surface, [{ name: 'knight.png', mime: 'image/png', base64: resultPng }], { x: 400, y: 200 });
  await expect(canvas.getByRole('status').filter({ hasText: 'Restored the prompt and settings of knight.png' })).toContainText(
    'placed its reference beside it',
  );
  await expect(list.getByRole('listitem', { name: 'Reference: knight.png' })).toHaveCount(1);
  await expect(items).toHaveCount(2);
  await expect(prompt).toContainText('A portrait of the knight in');
  await expect(composer.getByLabel(/^Image 1: Reference: /)).toBeVisible();
  await snap('restored-from-png');
  expect(errors).toEqual([]);

  async function currentBoardId(): Promise<string> {
    const { boards } = await rpc(serve, 'boards:list', {});
    return boards.find((board) => board.name === 'Cat knight')!.id;
  }
});

/** Where an item is on screen: its HTML outline twin over the canvas. */
async function itemBox(page: Page, listItem: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const id = await listItem.getAttribute('data-item-id');
  const box = await page.locator(`[data-canvas-item-id="${id}"]`).boundingBox();
  if (box === null) {
    throw new Error(`item ${id} has no box on screen`);
  }
  return box;
}

async function dragBy(page: Page, from: { x: number; y: number }, dx: number, dy: number): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 5 });
  await page.mouse.move(from.x + dx, from.y + dy, { steps: 5 });
  await page.mouse.up();
}

test('canvas editing: select, move, pan, zoom, delete, undo, redo, paste, library drop; a broken file is refused by name; a reload keeps it all', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchPageErrors(page);
  const board = await rpc(serve, 'boards:create', { name: 'Editing' });
  await page.goto(serve.link);
  await page.getByRole('region', { name: 'Boards' }).getByText('Editing').click();
  const canvas = page.getByRole('region', { name: 'Board canvas' });
  const surface = canvas.getByRole('group', { name: 'Board surface' });
  await expect(canvas.getByText('This board is empty')).toBeVisible();

  await canvas.getByLabel('Add images').setInputFiles([
    { name: 'left.png', mimeType: 'image/png', buffer: Buffer.from(await patternPng(32, 32, 40), 'base64') },
    { name: 'right.png', mimeType: 'image/png', buffer: Buffer.from(await patternPng(32, 32, 200), 'base64') },
  ]);
  const list = canvas.getByRole('list', { name: 'Board items' });
  const left = list.getByRole('listitem', { name: 'Reference: left.png' });
  const right = list.getByRole('listitem', { name: 'Reference: right.png' });
  await expect(left).toHaveCount(1);
  await expect(right).toHaveCount(1);
  const listed = async () => (await rpc(serve, 'items:list', { boardId: board.id })).items;
  expect(await listed()).toHaveLength(2);

  // Fit, then a click on empty space clears the selection the import made.
  await canvas.getByRole('button', { name: 'Fit to screen' }).click();
  const surfaceBox = (await surface.boundingBox())!;
  await page.mouse.click(surfaceBox.x + 8, surfaceBox.y + surfaceBox.height - 8);
  await expect(left.getByRole('button')).toHaveAttribute('aria-pressed', 'false');
  await expect(canvas.getByRole('button', { name: 'Delete' })).toBeDisabled();

  // Rubber band over everything selects both.
  await dragBy(page, { x: surfaceBox.x + 4, y: surfaceBox.y + 4 }, surfaceBox.width - 40, surfaceBox.height - 40);
  await expect(left.getByRole('button')).toHaveAttribute('aria-pressed', 'true');
  await expect(right.getByRole('button')).toHaveAttribute('aria-pressed', 'true');

  // A click selects one; dragging it moves it, and the library has the new place.
  const leftId = await left.getAttribute('data-item-id');
  const before = (await listed()).find((item) => item.id === leftId)!;
  let box = await itemBox(page, left);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(right.getByRole('button')).toHaveAttribute('aria-pressed', 'false');
  await dragBy(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, 0, 120);
  await expect.poll(async () => (await listed()).find((item) => item.id === before.id)!.y).toBeGreaterThan(before.y + 20);

  // Undo puts it back, redo moves it again.
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await listed()).find((item) => item.id === before.id)!.y).toBeCloseTo(before.y, 3);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await listed()).find((item) => item.id === before.id)!.y).toBeGreaterThan(before.y + 20);

  // Delete removes it; undo brings the same item back.
  box = await itemBox(page, left);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.press('Delete');
  await expect(left).toHaveCount(0);
  expect(await listed()).toHaveLength(1);
  await canvas.getByRole('button', { name: 'Undo' }).click();
  await expect(left).toHaveCount(1);
  expect((await listed()).map((item) => item.id)).toContain(before.id);

  // A file that is not an image: refused with its name, nothing on the board changes.
  await dropFiles(page, surface, [{ name: 'notes.png', mime: 'image/png', base64: Buffer.from('not really a picture').toString('base64') }], {
    x: 100,
    y: 100,
  });
  await expect(page.getByRole('alert').filter({ hasText: 'notes.png' })).toBeVisible();
  expect(await listed()).toHaveLength(2);
  await expect(list.getByRole('listitem')).toHaveCount(2);

  // An image pasted from the clipboard lands in the middle of the view.
  const pasted = await patternPng(40, 40, 77);
  await surface.focus();
  await page.evaluate((base64) => {
    const { DataTransfer, ClipboardEvent, document } = globalThis as unknown as PageGlobals;
    const transfer = new DataTransfer();
    transfer.items.add(new File([Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))], 'clip.png', { type: 'image/png' }));
    document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, pasted);
  await expect(list.getByRole('listitem', { name: 'Reference: clip.png' })).toHaveCount(1);

  // A library image dragged in from the gallery or the queue is placed without a new upload.
  const library = await page.evaluateHandle(
    ({ mime, payload }) => {
      const { DataTransfer } = globalThis as unknown as PageGlobals;
      const transfer = new DataTransfer();
      transfer.setData(mime, JSON.stringify(payload));
      return transfer;
    },
    { mime: libraryImageMime, payload: { assetSha256: before.assetSha256, generationId: null, width: 32, height: 32 } },
  );
  const dropAt = { clientX: surfaceBox.x + 60, clientY: surfaceBox.y + 60 };
  await surface.dispatchEvent('dragover', { dataTransfer: library, ...dropAt });
  await surface.dispatchEvent('drop', { dataTransfer: library, ...dropAt });
  await expect(list.getByRole('listitem', { name: 'Reference: left.png' })).toHaveCount(2);
  expect((await listed()).filter((item) => item.assetSha256 === before.assetSha256)).toHaveLength(2);
  // One undo takes the library image away again.
  await surface.focus();
  await page.keyboard.press('Control+z');
  await expect(list.getByRole('listitem', { name: 'Reference: left.png' })).toHaveCount(1);
  await expect(list.getByRole('listitem')).toHaveCount(3);

  // Pan with the wheel, with Space held and with the middle button; Ctrl+wheel zooms about the pointer.
  const zoomText = canvas.getByRole('toolbar', { name: 'Canvas tools' }).getByText(/\d+ %/);
  const centre = { x: surfaceBox.x + surfaceBox.width / 2, y: surfaceBox.y + surfaceBox.height / 2 };
  const leftAt = async () => (await itemBox(page, left)).x;
  let was = await leftAt();
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(120, 0);
  await expect.poll(leftAt).toBeCloseTo(was - 120, 0);
  was = await leftAt();
  await surface.focus();
  await page.keyboard.down('Space');
  await dragBy(page, centre, 80, 0);
  await page.keyboard.up('Space');
  await expect.poll(leftAt).toBeCloseTo(was + 80, 0);
  was = await leftAt();
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down({ button: 'middle' });
  await page.mouse.move(centre.x - 50, centre.y, { steps: 5 });
  await page.mouse.up({ button: 'middle' });
  await expect.poll(leftAt).toBeCloseTo(was - 50, 0);
  const zoomBefore = await zoomText.textContent();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  await expect(zoomText).not.toHaveText(zoomBefore!);
  // Nothing was moved in the library by looking around.
  expect((await listed()).find((item) => item.id === before.id)!.y).toBeGreaterThan(before.y + 20);

  // Zoom, reload: the same items, places and zoom.
  await canvas.getByRole('button', { name: 'Zoom in' }).click();
  const zoom = await canvas.getByRole('toolbar', { name: 'Canvas tools' }).getByText(/\d+ %/).textContent();
  const positions = JSON.stringify((await listed()).map((item) => [item.id, item.x, item.y]));
  await page.reload();
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await expect(canvas.getByRole('toolbar', { name: 'Canvas tools' }).getByText(/\d+ %/)).toHaveText(zoom!);
  await expect(left).toHaveCount(1);
  expect(JSON.stringify((await listed()).map((item) => [item.id, item.x, item.y]))).toBe(positions);
  expect(errors).toEqual([]);
});

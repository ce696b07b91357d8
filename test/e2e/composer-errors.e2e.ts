// Must-show 5, errors in the studio that lose nothing: with no model installed the composer says so
// and points to the Models page; a corrupt image dropped on the board is refused by name while the
// board keeps its items; a prompt over the model's token budget shows the reason and Generate stays
// off until it fits; a chip whose item was deleted blocks Generate until the item is back. Real
// serve, real SQLite, the real tiny bundle's tokenizer, Debian's Chromium. The last test covers the
// prompt editor itself (atomic chips, reordering, paste and IME), which those errors build on.
import { test, expect, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { Model } from '../../preload/contract';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { rpc, watchPageErrors } from '../fixtures/studio-page';
import { tinyBundle } from '../fixtures/tiny-bundle';

const noModelMessage = 'No model installed — import a bundle on the Models page';

let serve: ServeProcess;

test.beforeAll(async () => {
  serve = await startServe();
});

test.afterAll(async () => {
  await serve?.stop();
});

async function pngBytes(width: number, height: number, shade: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = (i * 7 + shade) % 256;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

type PageClasses = {
  DataTransfer: new () => { setData(format: string, data: string): void };
  ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean }) => Event;
};

/** Opens the studio on the board named `name`. */
async function openBoard(page: Page, server: ServeProcess, name: string): Promise<Locator> {
  await page.goto(server.link);
  await page.getByRole('region', { name: 'Boards' }).getByText(name, { exact: true }).click();
  const composer = page.getByRole('region', { name: 'Prompt composer' });
  await expect(composer).toBeVisible();
  return composer;
}

test('with no model installed the composer says so, leads to the Models page, and cannot generate', async ({ page }) => {
  const errors = watchPageErrors(page);
  const bare = await startServe();
  try {
    await rpc(bare, 'boards:create', { name: 'No model yet' });
    const composer = await openBoard(page, bare, 'No model yet');
    await expect(composer.getByText(noModelMessage)).toBeVisible();
    await expect(composer.getByRole('combobox', { name: 'Model' })).toBeDisabled();

    // Writing is still possible, generating is not — by button or by shortcut.
    const prompt = composer.getByRole('textbox', { name: 'Prompt' });
    await prompt.click();
    await page.keyboard.type('A cat as a pixel-art hero');
    await expect(prompt).toHaveText('A cat as a pixel-art hero');
    await expect(composer.getByRole('button', { name: 'Generate' })).toBeDisabled();
    await page.keyboard.press('Control+Enter');
    expect((await rpc(bare, 'generations:list', {})).generations).toEqual([]);

    await composer.getByRole('button', { name: 'Open Models' }).click();
    await expect(page.getByRole('textbox', { name: 'Bundle folder' })).toBeVisible();
    expect(new URL(page.url()).hash).toBe('#/models');

    // Back on the Studio page the prompt is still there.
    await page.goBack();
    await expect(page.getByRole('region', { name: 'Prompt composer' }).getByRole('textbox', { name: 'Prompt' })).toHaveText(
      'A cat as a pixel-art hero',
    );
  } finally {
    await bare.stop();
  }
  expect(errors).toEqual([]);
});

test('a corrupt image added to the board is refused by name and the board keeps its items', async ({ page }) => {
  const errors = watchPageErrors(page);
  const board = await rpc(serve, 'boards:create', { name: 'Corrupt file' });
  await openBoard(page, serve, 'Corrupt file');
  const canvas = page.getByRole('region', { name: 'Board canvas' });
  const list = canvas.getByRole('list', { name: 'Board items' });

  await canvas.getByLabel('Add images').setInputFiles([{ name: 'good.png', mimeType: 'image/png', buffer: await pngBytes(32, 24, 3) }]);
  await expect(list.getByRole('listitem', { name: 'Reference: good.png' })).toHaveCount(1);

  // A PNG cut off after its header: it looks like an image to the file picker, not to the studio.
  const truncated = (await pngBytes(32, 24, 90)).subarray(0, 60);
  await canvas.getByLabel('Add images').setInputFiles([{ name: 'cut-off.png', mimeType: 'image/png', buffer: truncated }]);
  await expect(page.getByRole('alert').filter({ hasText: 'cut-off.png' }).first()).toBeVisible();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  expect((await rpc(serve, 'items:list', { boardId: board.id })).items).toHaveLength(1);

  await page.reload();
  await expect(page.getByRole('list', { name: 'Board items' }).getByRole('listitem', { name: 'Reference: good.png' })).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a prompt over the token budget shows why and cannot run; a deleted reference blocks Generate; nothing is lost', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const errors = watchPageErrors(page);
  const model: Model = await rpc(serve, 'models:import', { path: await tinyBundle() });
  const board = await rpc(serve, 'boards:create', { name: 'Budget' });
  const png = await pngBytes(40, 40, 17);
  const asset = await rpc(serve, 'assets:import', { name: 'cat.png', dataBase64: png.toString('base64') });
  const item = await rpc(serve, 'items:add', { boardId: board.id, assetSha256: asset.sha256, x: 0, y: 0, width: 40, height: 40 });

  const composer = await openBoard(page, serve, 'Budget');
  const prompt = composer.getByRole('textbox', { name: 'Prompt' });
  const generateButton = composer.getByRole('button', { name: 'Generate' });
  const meter = composer.getByRole('meter', { name: 'Prompt tokens' });

  // "@" opens the board's images; Enter binds the first one as chip 1.
  await prompt.click();
  await page.keyboard.type('The cat in @');
  await expect(page.getByRole('listbox', { name: 'Board images' })).toBeVisible();
  await page.keyboard.press('Enter');
  const chip = composer.getByRole('button', { name: /^Image 1: Reference: / });
  await expect(chip).toBeVisible();

  // Far more words than the tiny model's 64-token prefix holds.
  const longText = '. ' + Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
  await page.keyboard.insertText(longText);
  const alert = composer.getByRole('alert');
  await expect(alert).toContainText('The prompt is too long');
  await expect(alert).toContainText(`> prefix length ${model.prefixLength}`);
  await expect(meter).toHaveAttribute('aria-valuetext', new RegExp(`^\\d+ of ${model.prefixLength} tokens$`));
  await expect(generateButton).toBeDisabled();
  await page.keyboard.press('Control+Enter');
  await testInfo.attach('over-budget-1280x800', {
    body: await page.screenshot({ path: testInfo.outputPath('composer-over-budget-1280x800.png') }),
    contentType: 'image/png',
  });
  expect((await rpc(serve, 'generations:list', {})).generations).toEqual([]);

  // A reload keeps the draft, chip and all.
  await page.reload();
  await expect(prompt).toContainText('word59');
  await expect(chip).toBeVisible();
  await expect(alert).toContainText('The prompt is too long');

  // Shorter: it fits, the reason goes, Generate comes back. (A click in the corner: one on a chip opens its menu.)
  await prompt.click({ position: { x: 4, y: 4 } });
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Backspace');
  await expect(prompt).toHaveText('');
  await page.keyboard.type('The cat in @');
  await page.keyboard.press('Enter');
  await page.keyboard.type('. A knight');
  await expect(alert).toHaveCount(0);
  await expect(meter).toHaveAttribute('aria-valuetext', new RegExp(`^\\d+ of ${model.prefixLength} tokens$`));
  await expect(generateButton).toBeEnabled();

  // The chip's item deleted from the board: the chip is broken and Generate is off, with the reason.
  await rpc(serve, 'items:delete', { ids: [item.id] });
  await expect(composer.getByRole('button', { name: 'Image 1: deleted from the board' })).toBeVisible();
  await expect(alert).toContainText('Image 1 was deleted from the board');
  await expect(generateButton).toBeDisabled();
  await rpc(serve, 'items:restore', { ids: [item.id] });
  await expect(chip).toBeVisible();
  await expect(generateButton).toBeEnabled();

  // Generate with a pinned 64-bit seed: what is queued is exactly what the composer shows.
  await composer.getByRole('combobox', { name: 'Seed mode' }).selectOption('fixed');
  await composer.getByRole('textbox', { name: 'Seed' }).fill('18446744073709551615');
  await generateButton.click();
  await expect(composer.getByText('seed 18446744073709551615')).toBeVisible();
  const queued = (await rpc(serve, 'generations:list', {})).generations;
  expect(queued).toHaveLength(1);
  expect(queued[0]).toMatchObject({
    boardId: board.id,
    modelId: model.id,
    prompt: 'The cat in <image>. A knight',
    references: [asset.sha256],
    seed: '18446744073709551615',
  });
  // The prompt stays for the next variation.
  await expect(prompt).toContainText('A knight');
  expect(errors).toEqual([]);
});

test('the prompt editor: chips are atomic, move with their image, and paste and IME input stay plain text', async ({ page }) => {
  const errors = watchPageErrors(page);
  await rpc(serve, 'boards:create', { name: 'Editor' });
  const composer = await openBoard(page, serve, 'Editor');
  const canvas = page.getByRole('region', { name: 'Board canvas' });
  await canvas.getByLabel('Add images').setInputFiles([
    { name: 'cat.png', mimeType: 'image/png', buffer: await pngBytes(30, 30, 5) },
    { name: 'hat.png', mimeType: 'image/png', buffer: await pngBytes(30, 30, 150) },
  ]);
  await expect(canvas.getByRole('list', { name: 'Board items' }).getByRole('listitem')).toHaveCount(2);
  const prompt = composer.getByRole('textbox', { name: 'Prompt' });
  const chipNames = () => composer.getByRole('button', { name: /^Image \d+:/ }).evaluateAll((chips) => chips.map((chip) => chip.getAttribute('aria-label')));

  // "@" then a word filters the board's images; Enter picks.
  await prompt.click();
  await page.keyboard.type('The cat in @cat');
  await page.keyboard.press('Enter');
  await page.keyboard.type(' wears the hat in @hat');
  await page.keyboard.press('Enter');
  await expect.poll(chipNames).toEqual(['Image 1: Reference: cat.png', 'Image 2: Reference: hat.png']);

  // Move left: the two images trade places, the words stay.
  await composer.getByRole('button', { name: 'Image 2: Reference: hat.png' }).click();
  await page.getByRole('menuitem', { name: 'Move left' }).click();
  await expect.poll(chipNames).toEqual(['Image 1: Reference: hat.png', 'Image 2: Reference: cat.png']);
  await expect(prompt).toContainText('The cat in');
  await expect(prompt).toContainText('wears the hat in');
  // The caret is back in the prompt once the menu has gone.
  await expect(prompt).toBeFocused();

  // One backspace deletes one whole chip; undo brings it back.
  await page.keyboard.press('Control+End');
  await page.keyboard.type('!');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await expect.poll(chipNames).toEqual(['Image 1: Reference: hat.png']);
  await page.keyboard.press('Control+z');
  await expect.poll(chipNames).toEqual(['Image 1: Reference: hat.png', 'Image 2: Reference: cat.png']);

  // An input method composes in place; the result is ordinary text of the prompt.
  await page.keyboard.press('Control+End');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.imeSetComposition', { text: 'ねこ', selectionStart: 2, selectionEnd: 2 });
  await cdp.send('Input.insertText', { text: '猫' });
  await expect(prompt).toContainText('猫');
  await page.keyboard.type('.');
  await expect(prompt).toContainText('猫.');

  // Rich paste arrives as plain text; a pasted <image> marker is an empty chip that blocks Generate.
  await prompt.evaluate((element) => {
    // The page's DOM classes (this file is type-checked without DOM typings).
    const page = globalThis as unknown as PageClasses;
    const data = new page.DataTransfer();
    data.setData('text/html', '<b>bold</b> words');
    data.setData('text/plain', ' bold words <image>');
    element.dispatchEvent(new page.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(prompt).toContainText('bold words');
  await expect(prompt.locator('b')).toHaveCount(0);
  await expect.poll(chipNames).toEqual(['Image 1: Reference: hat.png', 'Image 2: Reference: cat.png', 'Image 3: no image yet']);
  await expect(composer.getByRole('alert')).toContainText('Image 3 has no image yet');
  await expect(composer.getByRole('button', { name: 'Generate' })).toBeDisabled();
  expect(errors).toEqual([]);
});

import { test, expect } from '@playwright/test';
import sharp from 'sharp';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { rpc, watchPageErrors } from '../fixtures/studio-page';

let serve: ServeProcess;

test.beforeAll(async () => {
  serve = await startServe();
});

test.afterAll(async () => {
  await serve?.stop();
});

test('the shell loads, a new board survives a reload', async ({ page }, testInfo) => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));

  await page.goto(serve.link);
  await expect(page.getByRole('heading', { name: 'MENTOR Studio' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Boards' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Board canvas' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Queue' })).toBeVisible();
  await expect(page.getByText('No boards yet')).toBeVisible();
  // The token leaves the address bar once the page has it.
  expect(page.url()).not.toContain(serve.token);

  await page.getByRole('button', { name: 'New board' }).click();
  const dialog = page.getByRole('dialog', { name: 'New board' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Cat pixel art');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  const boards = page.getByRole('region', { name: 'Boards' });
  await expect(boards.getByText('Cat pixel art')).toBeVisible();
  await expect(page.getByText('This board is empty')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('heading', { name: 'MENTOR Studio' })).toBeVisible();
  await expect(boards.getByText('Cat pixel art')).toBeVisible();
  await expect(page.getByText('This board is empty')).toBeVisible();

  const screenshot = await page.screenshot({ path: testInfo.outputPath('studio-shell-1280x800.png') });
  await testInfo.attach('studio shell', { body: screenshot, contentType: 'image/png' });

  // Deleting asks first; Cancel keeps the board, Delete removes it.
  await boards.getByRole('button', { name: 'Actions for Cat pixel art' }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete board?' });
  await expect(confirm).toContainText('Delete “Cat pixel art”? It is empty.');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(boards.getByText('Cat pixel art')).toBeVisible();
  await boards.getByRole('button', { name: 'Actions for Cat pixel art' }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(confirm).toBeHidden();
  await expect(boards.getByText('Cat pixel art')).toBeHidden();
  expect(consoleErrors).toEqual([]);
});

test('the top bar switches pages by hash route, a reload keeps the page, and the shortcuts dialog lists the keys', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));

  await page.goto(serve.link);
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(pages.getByRole('link', { name: 'Studio' })).toHaveAttribute('aria-current', 'page');
  // The token is gone from the address bar and did not become a route.
  await expect(page.getByRole('region', { name: 'Board canvas' })).toBeVisible();
  expect(page.url()).not.toContain(serve.token);

  await pages.getByRole('link', { name: 'Gallery' }).click();
  await expect(page.getByRole('region', { name: 'Gallery' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Board canvas' })).toHaveCount(0);
  expect(new URL(page.url()).hash).toBe('#/gallery');
  await page.reload();
  await expect(page.getByRole('region', { name: 'Gallery' })).toBeVisible();
  await expect(pages.getByRole('link', { name: 'Gallery' })).toHaveAttribute('aria-current', 'page');

  await pages.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('textbox', { name: 'Bundle folder' })).toBeVisible();
  // A browser tab has no folder chooser: the path is typed (the desktop app adds Browse…, electron.e2e.ts).
  await expect(page.getByRole('button', { name: 'Browse…' })).toHaveCount(0);
  await page.goBack();
  await expect(page.getByRole('region', { name: 'Gallery' })).toBeVisible();

  // Keys: 1 goes to the Studio, ? opens the help (not while typing in a field).
  await page.getByRole('region', { name: 'Gallery' }).getByRole('heading', { name: 'Gallery' }).click();
  await page.keyboard.press('1');
  await expect(page.getByRole('region', { name: 'Queue' })).toBeVisible();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByText('Cancel the running batch (when not typing)')).toBeVisible();
  await expect(help.getByText('Ctrl+Shift+Z')).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toBeHidden();
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  expect(consoleErrors).toEqual([]);
});

test('a board name the contract refuses is explained in the dialog, and nothing is created', async ({ page }) => {
  await page.goto(serve.link);
  await page.getByRole('button', { name: 'New board' }).click();
  const dialog = page.getByRole('dialog', { name: 'New board' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('   ');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByText('A board needs a name')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  const listed = await page.request.post(`${serve.baseUrl}api/rpc/boards:list`, {
    headers: { Authorization: `Bearer ${serve.token}` },
    data: {},
  });
  const body = (await listed.json()) as { value: { boards: { name: string }[] } };
  expect(body.value.boards.map((board) => board.name)).not.toContain('');
});

test('a page opened without the token says how to get in', async ({ page }) => {
  await page.goto(serve.baseUrl);
  await expect(page.getByText(/no valid access token/i)).toBeVisible();
});

test('an image another window puts on the board shows on the canvas and in the @ picker, from one read of the board', async ({ page }) => {
  const errors = watchPageErrors(page);
  // The canvas and the composer share one list of the board's items: one `items:list` per change.
  let counting = false;
  const listCalls: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', (frame) => {
      if (counting && String(frame.payload).includes('"items:list"')) {
        listCalls.push(String(frame.payload));
      }
    }),
  );
  const board = await rpc(serve, 'boards:create', { name: 'Shared items' });
  await page.goto(serve.link);
  await page.getByRole('region', { name: 'Boards' }).getByText('Shared items').click();
  const canvas = page.getByRole('region', { name: 'Board canvas' });
  await expect(canvas.getByText('This board is empty')).toBeVisible();

  counting = true;
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
  const asset = await rpc(serve, 'assets:import', { name: 'elsewhere.png', dataBase64: png.toString('base64') });
  await rpc(serve, 'items:add', { boardId: board.id, assetSha256: asset.sha256, x: 0, y: 0, width: 40, height: 30 });

  const list = canvas.getByRole('list', { name: 'Board items' });
  await expect(list.getByRole('listitem', { name: /^Reference/ })).toHaveCount(1);
  const prompt = page.getByRole('region', { name: 'Prompt composer' }).getByRole('textbox', { name: 'Prompt' });
  await prompt.click();
  await page.keyboard.type('A cat in @');
  await expect(page.getByRole('listbox', { name: 'Board images' }).getByRole('option')).toHaveCount(1);
  expect(listCalls).toHaveLength(1);
  expect(errors).toEqual([]);
});

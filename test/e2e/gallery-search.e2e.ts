// The gallery over a big library: 10,000 finished generations written before `serve` starts. Typing a
// word filters the grid. Then 24 searches, each timed by the page itself: the search (keystroke → the
// answer of `generations:search` back in the page, over the real socket) has a p95 under 50 ms, and
// keystroke → results rendered is reported beside it. The list runs once first to warm the library's
// caches, as in a studio that has been open a while. Then the grid's everyday actions: stacks, select
// two and compare, rate, trash with undo.
import { test, expect, type Page } from '@playwright/test';
import { fillLibrary, type FilledLibrary } from '../fixtures/fill-library';
import { startServe, temporaryHome, type ServeProcess } from '../fixtures/serve-process';
import { rpc, watchPageErrors } from '../fixtures/studio-page';

let serve: ServeProcess;
let facts: FilledLibrary;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const home = temporaryHome();
  facts = await fillLibrary(home, { count: 10_000 });
  serve = await startServe({ home });
});

test.afterAll(async () => {
  await serve?.stop();
});

async function openGallery(page: Page) {
  await page.goto(serve.link);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Gallery' }).click();
  const gallery = page.getByRole('region', { name: 'Gallery' });
  await expect(gallery.getByRole('status')).toHaveText(`${facts.count.toLocaleString('en-US')} images`, { timeout: 15_000 });
  return gallery;
}

/** Sets the search text and waits until the grid shows the answer to exactly that text. */
async function search(page: Page, text: string) {
  const gallery = page.getByRole('region', { name: 'Gallery' });
  await gallery.getByRole('searchbox', { name: 'Search prompts' }).fill(text);
  await expect(gallery.locator(`[data-results-for="${text}"]`)).toHaveAttribute('aria-busy', 'false');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

test('typing a word filters 10,000 images, and search latency p95 stays under 50 ms', async ({ page }, testInfo) => {
  const errors = watchPageErrors(page);
  const gallery = await openGallery(page);

  // Typed key by key, as a user would: the grid ends on the word's matches only.
  await gallery.getByRole('searchbox', { name: 'Search prompts' }).pressSequentially(facts.word, { delay: 40 });
  await expect(gallery.locator(`[data-results-for="${facts.word}"]`)).toHaveAttribute('aria-busy', 'false');
  await expect(gallery.getByRole('status')).toHaveText(`${facts.wordCount.toLocaleString('en-US')} images`);
  const alts = await gallery.locator('[data-generation-id] img').evaluateAll((images) => images.map((image) => image.getAttribute('alt') ?? ''));
  expect(alts.length).toBeGreaterThan(0);
  for (const alt of alts) {
    expect(alt).toContain(facts.word);
  }
  await testInfo.attach('filtered', { body: await page.screenshot({ path: testInfo.outputPath('gallery-filtered.png') }), contentType: 'image/png' });

  const queries = [
    'cat', 'fox', 'owl', 'boat', 'teapot', 'village', 'pixel', 'watercolour', 'oil painting', 'woodcut', 'claymation', 'ink',
    'sea', 'snow', 'dawn', 'starry sky', 'market', 'rainy street', 'ginger cat', 'red fox', 'old lighthouse', 'sleepy', 'brass', 'mountain',
  ];
  for (const query of queries) {
    await search(page, query);
  }
  await page.evaluate(() => {
    performance.clearMeasures('gallery-search');
    performance.clearMeasures('gallery-search-answer');
  });
  for (const query of queries) {
    await search(page, query);
  }
  // The page's own measures: keystroke → rendered results, and keystroke → answer arrived.
  const measured = (name: string) =>
    page.evaluate(
      (entryName) =>
        performance
          .getEntriesByName(entryName)
          .map((entry) => ({ text: (entry as { detail?: { text?: string } }).detail?.text ?? '', ms: entry.duration })),
      name,
    );
  const shown = (await measured('gallery-search')).filter((measure) => queries.includes(measure.text));
  const answered = (await measured('gallery-search-answer')).filter((measure) => queries.includes(measure.text));
  expect(new Set(shown.map((measure) => measure.text)).size).toBe(queries.length);
  const p95 = percentile(
    shown.map((measure) => measure.ms),
    95,
  );
  const median = percentile(
    shown.map((measure) => measure.ms),
    50,
  );
  const answerP95 = percentile(
    answered.map((measure) => measure.ms),
    95,
  );
  const line =
    `gallery search over ${facts.count} images, ${shown.length} queries: search (keystroke to answer in the page) p95 ` +
    `${answerP95.toFixed(1)} ms; keystroke to rendered results median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`;
  console.log(line);
  testInfo.annotations.push({ type: 'search latency', description: line });
  expect(answerP95).toBeLessThan(50);
  // Rendering 40–240 tiles on a software-rasterised 2-core box adds 10–30 ms; a bound that still catches
  // a grid that re-renders everything or a search that blocks.
  expect(p95).toBeLessThan(150);

  // Clearing the search shows everything again.
  await search(page, '');
  await expect(gallery.getByRole('status')).toHaveText(`${facts.count.toLocaleString('en-US')} images`);
  expect(errors).toEqual([]);
});

test('filters, stacks, compare, rating, and Del to the trash with Undo', async ({ page }, testInfo) => {
  const errors = watchPageErrors(page);
  const gallery = await openGallery(page);

  // Filters combine with the text: five stars only.
  await gallery.getByRole('button', { name: 'Filters' }).click();
  await gallery.getByRole('combobox', { name: 'Rating' }).click();
  await page.getByRole('option', { name: '5 stars' }).click();
  await expect(gallery.getByRole('status')).toHaveText(`${facts.fiveStars.toLocaleString('en-US')} images`);
  await gallery.getByRole('button', { name: 'Clear filters' }).click();
  await expect(gallery.getByRole('status')).toHaveText(`${facts.count.toLocaleString('en-US')} images`);
  // A board's images.
  const board = facts.boards[0]!;
  await gallery.getByRole('combobox', { name: 'Board' }).click();
  await page.getByRole('option', { name: board.name }).click();
  await expect(gallery.getByRole('status')).toHaveText(`${facts.perBoard[board.id]!.toLocaleString('en-US')} images`);
  await gallery.getByRole('button', { name: 'Clear filters' }).click();

  // A stack opens into its variations.
  const stack = gallery.getByRole('button', { name: /^Show \d variations$/ }).first();
  const size = Number((await stack.getAttribute('aria-label'))!.match(/\d/)![0]);
  await stack.click();
  await expect(gallery.getByRole('button', { name: `Stack the ${size} variations` })).toHaveCount(size);

  // Select two (Ctrl+click the second) and compare them.
  // Each tile's first button is the image itself (named by its prompt); the star and stack badge follow.
  const tile = (index: number) => gallery.locator('[data-generation-id]').nth(index).getByRole('button').first();
  await tile(0).click();
  await tile(1).click({ modifiers: ['Control'] });
  await expect(tile(0)).toHaveAttribute('aria-pressed', 'true');
  await expect(tile(1)).toHaveAttribute('aria-pressed', 'true');
  await gallery.getByRole('button', { name: 'Compare' }).click();
  const compare = page.getByRole('dialog', { name: 'Compare' });
  await expect(compare.getByRole('img', { name: /^Left: / })).toBeVisible();
  await expect(compare.getByRole('img', { name: /^Right: / })).toBeVisible();
  await compare.getByRole('button', { name: 'Slider' }).click();
  await expect(compare.getByRole('slider', { name: 'Slider position' })).toBeVisible();
  await testInfo.attach('compare', { body: await page.screenshot({ path: testInfo.outputPath('gallery-compare.png') }), contentType: 'image/png' });
  await compare.getByRole('button', { name: 'Close' }).click();

  // Rate the focused image: stored in the library.
  const firstId = (await gallery.locator('[data-generation-id]').nth(1).getAttribute('data-generation-id'))!;
  // The stars are labels over visually hidden radios: click the fourth star as a user would.
  await gallery.getByRole('group', { name: 'Rating' }).locator('label', { hasText: '4 Stars' }).click();
  await expect(gallery.getByRole('group', { name: 'Rating' }).getByRole('radio', { name: '4 Stars' })).toBeChecked();
  await expect.poll(async () => (await rpc(serve, 'generations:get', { id: firstId })).rating).toBe(4);

  // Del moves the two selected images to the trash; Undo brings them back.
  await tile(1).focus();
  await page.keyboard.press('Delete');
  await expect(page.getByText('Moved 2 images to the trash')).toBeVisible();
  await expect(gallery.getByRole('status')).toHaveText(`${(facts.count - 2).toLocaleString('en-US')} images`);
  const inTrash = await rpc(serve, 'generations:search', { trashed: true, limit: 10 });
  expect(inTrash.total).toBe(2);
  expect(inTrash.generations.map((row) => row.id)).toContain(firstId);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(gallery.getByRole('status')).toHaveText(`${facts.count.toLocaleString('en-US')} images`);
  expect((await rpc(serve, 'generations:get', { id: firstId })).trashedAt).toBeNull();

  // The Trash view lists what was moved there, and Restore brings it back.
  await gallery.locator(`[data-generation-id="${firstId}"]`).getByRole('button').first().click();
  await gallery.getByRole('complementary', { name: 'Image details' }).getByRole('button', { name: 'Move to trash' }).click();
  await expect(gallery.getByRole('status')).toHaveText(`${(facts.count - 1).toLocaleString('en-US')} images`);
  await gallery.getByRole('button', { name: 'Trash', exact: true }).click();
  await expect(gallery.getByRole('status')).toHaveText('1 image in the trash');
  await gallery.locator(`[data-generation-id="${firstId}"]`).getByRole('button').first().click();
  await gallery.getByRole('complementary', { name: 'Image details' }).getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(gallery.getByRole('status')).toHaveText('0 images in the trash');
  await expect(gallery.getByText('The trash is empty')).toBeVisible();
  await gallery.getByRole('button', { name: 'Images', exact: true }).click();
  await expect(gallery.getByRole('status')).toHaveText(`${facts.count.toLocaleString('en-US')} images`);
  expect(errors).toEqual([]);
});

import type { Migration } from '../migrate';

/**
 * Where a generation came from, and the gallery's indices (issue #5, canvas studio).
 *
 * - `source_item_ids_json`: the board items whose images were the references (`generations:enqueue`'s
 *   `sourceItemIds`): when the batch finishes, its images are placed on the board next to them.
 * - `variation_count`: how many variations the batch that first made this image had; its PNG records
 *   it as `Count`. A re-run of variation v is a batch of one starting at v that keeps the original's
 *   count, so its PNG (pixels and text) is byte-identical to the first one. Old rows get their batch's
 *   size.
 * - `generations_gallery_page`: the gallery lists finished images not in the trash, newest first, and
 *   counts them: status and deleted_at as equalities, then the order, so a page reads only its rows and
 *   the count reads only the index. Without table statistics the planner would otherwise take the
 *   queue index for `status = 'done'` and sort every finished row for each page.
 *
 * ADD COLUMN, not a table rebuild, for the reason 0002 gives (a rebuild would unlink board items).
 * The CHECKs are tested against existing rows when the columns are added, so they only hold what the
 * defaults satisfy; that a variation is below its count is checked by the repository and again by the
 * engine when it writes the PNG.
 */
export const generationSourcesMigration: Migration = {
  version: 4,
  name: 'generation-sources',
  up(db) {
    db.exec(`
      ALTER TABLE generations ADD COLUMN source_item_ids_json TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(source_item_ids_json) AND json_type(source_item_ids_json) = 'array');
      ALTER TABLE generations ADD COLUMN variation_count INTEGER NOT NULL DEFAULT 1 CHECK (variation_count >= 1);
      UPDATE generations
        SET variation_count = (SELECT max(sibling.variation) + 1 FROM generations AS sibling WHERE sibling.batch_id = generations.batch_id);

      CREATE INDEX generations_gallery_page ON generations (status, deleted_at, created_at, seq);
    `);
  },
};

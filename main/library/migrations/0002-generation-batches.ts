import type { Migration } from '../migrate';

/**
 * Generations become variations of a batch (design.md §2, §6): one `generations:enqueue` with `count`
 * writes `count` rows that share a `batch_id`, with `variation` 0..count-1 (also the uniforms' image
 * index, so each row can be run again alone). The queue takes a whole batch at a time, in
 * `queue_position` order; all rows of a batch share one position.
 *
 * Why ADD COLUMN and not a table rebuild: a rebuild drops `generations`, and with foreign keys on (they
 * cannot be switched off inside the migration's transaction) the implicit DELETE would fire
 * `board_items.generation_id ON DELETE SET NULL` and unlink every board item. ADD COLUMN needs a
 * default for NOT NULL, and since SQLite 3.37 a CHECK added with a column is tested against existing
 * rows, so `batch_id` gets the default '' (rewritten below: each old row becomes its own batch) and a
 * trigger refuses '' on later writes, which keeps the schema's "a wrong value fails at write time" rule.
 */
export const generationBatchesMigration: Migration = {
  version: 2,
  name: 'generation-batches',
  up(db) {
    db.exec(`
      ALTER TABLE generations ADD COLUMN batch_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE generations ADD COLUMN variation INTEGER NOT NULL DEFAULT 0 CHECK (variation >= 0);
      -- Rows from schema 1 were single images: each is a batch of one.
      UPDATE generations SET batch_id = id WHERE batch_id = '';
      CREATE UNIQUE INDEX generations_by_batch ON generations (batch_id, variation);

      CREATE TRIGGER generations_batch_required_insert BEFORE INSERT ON generations
        WHEN new.batch_id = '' BEGIN
          SELECT RAISE(ABORT, 'generations.batch_id is required');
        END;
      CREATE TRIGGER generations_batch_required_update BEFORE UPDATE OF batch_id ON generations
        WHEN new.batch_id = '' BEGIN
          SELECT RAISE(ABORT, 'generations.batch_id is required');
        END;
    `);
  },
};

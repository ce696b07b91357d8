import type { Migration } from '../migrate';

/**
 * The canvas studio (issue #5): board items can be deleted and restored, parameter presets and app
 * settings are kept in the library.
 *
 * - `board_items.deleted_at`: delete is a soft delete so that undo (`items:restore`) brings the very
 *   same row back (id, lineage, z order). Rows are not purged here; a later sweep may.
 * - `presets`: the parameters panel by name. The name is the key (the user picks presets by name, and
 *   saving under a taken name overwrites); `params_json` is checked against the contract when read.
 * - `settings`: a small key/value store for state that must survive a restart (e.g. `queue.paused`).
 *   Values are JSON so one table holds booleans, numbers and objects alike.
 *
 * ADD COLUMN (not a rebuild) for the same reason as 0002: a rebuild of board_items would be needless
 * churn, and a nullable column with no default needs nothing else.
 */
export const canvasPresetsSettingsMigration: Migration = {
  version: 3,
  name: 'canvas-presets-settings',
  up(db) {
    db.exec(`
      ALTER TABLE board_items ADD COLUMN deleted_at INTEGER;

      CREATE TABLE presets (
        name TEXT PRIMARY KEY NOT NULL CHECK (length(trim(name)) > 0),
        params_json TEXT NOT NULL CHECK (json_valid(params_json)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL CHECK (length(key) > 0),
        value_json TEXT NOT NULL CHECK (json_valid(value_json)),
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};

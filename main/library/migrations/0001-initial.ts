import type { Migration } from '../migrate';

/**
 * The first library schema (design.md §6). Conventions: snake_case, ids are TEXT uuids, times are INTEGER
 * milliseconds since the epoch, `*_json` columns must hold valid JSON. Tables are STRICT so a wrong type is
 * an error at write time instead of a surprise at read time (needs SQLite ≥ 3.37, bundled with
 * better-sqlite3). Value sets that other modules still own (job stage/status, rating, precision) get no
 * CHECK: widening a CHECK later means rebuilding the table.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE boards (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        deleted_at INTEGER
      ) STRICT;

      -- Images live on disk under assets/<2 hex>/<sha256><ext>; this row says what the bytes are.
      CREATE TABLE assets (
        sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
        mime TEXT NOT NULL,
        byte_size INTEGER NOT NULL CHECK (byte_size >= 0),
        width INTEGER,
        height INTEGER,
        original_name TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE models (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        format_version INTEGER NOT NULL,
        precision TEXT NOT NULL,
        size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
        bundle_sha256 TEXT NOT NULL,
        source_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(source_json)),
        config_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config_json)),
        installed_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX models_by_bundle ON models (bundle_sha256);

      -- A generation holds everything needed to run it again exactly, and is also the queue entry:
      -- after a crash, rows still 'queued'/'running' are shown as interrupted and can be resumed.
      -- seq is an explicit INTEGER PRIMARY KEY because the FTS index points at rowids, and VACUUM may
      -- renumber the implicit rowid of a table without one.
      CREATE TABLE generations (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        board_id TEXT REFERENCES boards (id) ON DELETE SET NULL,
        model_id TEXT REFERENCES models (id) ON DELETE SET NULL,
        status TEXT NOT NULL
          CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        queue_position INTEGER NOT NULL,
        prompt TEXT NOT NULL,
        params_json TEXT NOT NULL CHECK (json_valid(params_json)),
        -- Unsigned 64-bit: above JavaScript's safe integers and SQLite's signed INTEGER, so decimal text.
        seed TEXT NOT NULL CHECK (length(seed) BETWEEN 1 AND 20 AND seed NOT GLOB '*[^0-9]*'),
        references_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(references_json)),
        bundle_sha256 TEXT NOT NULL,
        engine_version TEXT NOT NULL,
        result_asset_sha256 TEXT REFERENCES assets (sha256),
        error TEXT,
        timings_json TEXT CHECK (timings_json IS NULL OR json_valid(timings_json)),
        rating INTEGER,
        starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        deleted_at INTEGER
      ) STRICT;
      CREATE INDEX generations_queue_order ON generations (status, queue_position);
      CREATE INDEX generations_gallery_order ON generations (created_at, seq) WHERE deleted_at IS NULL;
      CREATE INDEX generations_by_board ON generations (board_id, created_at) WHERE deleted_at IS NULL;
      CREATE INDEX generations_by_model ON generations (model_id);
      CREATE INDEX generations_by_result ON generations (result_asset_sha256);

      -- External content: the prompt text is stored once, in generations; the triggers keep the index in step.
      CREATE VIRTUAL TABLE generations_fts USING fts5 (
        prompt,
        content = 'generations',
        content_rowid = 'seq',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
        INSERT INTO generations_fts (rowid, prompt) VALUES (new.seq, new.prompt);
      END;
      CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations BEGIN
        INSERT INTO generations_fts (generations_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
      END;
      -- Only prompt edits touch the index; status changes of a running job do not.
      CREATE TRIGGER generations_fts_update AFTER UPDATE OF prompt, seq ON generations BEGIN
        INSERT INTO generations_fts (generations_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
        INSERT INTO generations_fts (rowid, prompt) VALUES (new.seq, new.prompt);
      END;

      CREATE TABLE board_items (
        id TEXT PRIMARY KEY NOT NULL,
        board_id TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('reference', 'generation', 'note')),
        asset_sha256 TEXT REFERENCES assets (sha256),
        -- SET NULL: the image stays on the board through asset_sha256 if its generation row goes.
        generation_id TEXT REFERENCES generations (id) ON DELETE SET NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        width REAL NOT NULL,
        height REAL NOT NULL,
        rotation REAL NOT NULL DEFAULT 0,
        z_index INTEGER NOT NULL,
        data_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data_json)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX board_items_by_board ON board_items (board_id, z_index);
      CREATE INDEX board_items_by_asset ON board_items (asset_sha256);
      CREATE INDEX board_items_by_generation ON board_items (generation_id);

      CREATE TABLE hosts (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
        user TEXT NOT NULL,
        identity_file TEXT,
        use_agent INTEGER NOT NULL DEFAULT 0 CHECK (use_agent IN (0, 1)),
        jump_host TEXT,
        known_host_key TEXT,
        remote_root TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- No cascade from hosts: a job's history (and the checkpoints it produced) outlives casual host edits.
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY NOT NULL,
        host_id TEXT NOT NULL REFERENCES hosts (id),
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        remote_dir TEXT NOT NULL,
        config_json TEXT NOT NULL CHECK (json_valid(config_json)),
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        -- Where to resume reading the remote log after a dropped connection (design.md §7).
        last_log_offset INTEGER NOT NULL DEFAULT 0 CHECK (last_log_offset >= 0),
        error TEXT
      ) STRICT;
      CREATE INDEX jobs_by_host ON jobs (host_id, created_at);
    `);
  },
};

import type { Database } from 'better-sqlite3';
import { Preset, PresetParams } from '../../preload/contract';
import { StudioFailure } from '../services/studio-failure';
import { lazyStatements } from './lazy-statements';

export type PresetsRepository = {
  /** Every preset, by name (case-insensitive, as a menu shows them). */
  list(): Preset[];
  /** Saves under `name` (trimmed), replacing a preset of that name. */
  save(name: string, params: PresetParams): Preset;
  /** Throws `not_found` when no preset has that name. */
  remove(name: string): void;
};

export type PresetsRepositoryOptions = { now?: () => number };

type PresetRow = { name: string; params_json: string; updated_at: number };

/**
 * Named parameter presets. Rows are parsed against the contract on the way out, so a preset written by
 * an older studio with fields this one no longer knows is dropped from the list instead of breaking it.
 */
export function createPresetsRepository(db: Database, options: PresetsRepositoryOptions = {}): PresetsRepository {
  const now = options.now ?? Date.now;
  const sql = lazyStatements(db);
  return {
    list: () =>
      sql<[], PresetRow>('SELECT name, params_json, updated_at FROM presets ORDER BY name COLLATE NOCASE, name')
        .all()
        .flatMap((row) => {
          const parsed = toPreset(row);
          return parsed === null ? [] : [parsed];
        }),
    save(name, params) {
      const preset = Preset.safeParse({ name, params, updatedAt: now() });
      if (!preset.success) {
        const issue = preset.error.issues[0];
        throw new StudioFailure('validation_failed', `Invalid preset: ${issue?.path.join('.') || 'preset'}: ${issue?.message ?? 'invalid'}`);
      }
      const { data } = preset;
      sql(
        `INSERT INTO presets (name, params_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET params_json = excluded.params_json, updated_at = excluded.updated_at`,
      ).run(data.name, JSON.stringify(data.params), data.updatedAt);
      return data;
    },
    remove(name) {
      if (sql('DELETE FROM presets WHERE name = ?').run(name.trim()).changes === 0) {
        throw new StudioFailure('not_found', `No preset named "${name.trim()}"`);
      }
    },
  };
}

function toPreset(row: PresetRow): Preset | null {
  const params = PresetParams.safeParse(JSON.parse(row.params_json));
  return params.success ? { name: row.name, params: params.data, updatedAt: row.updated_at } : null;
}

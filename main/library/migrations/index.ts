import type { Migration } from '../migrate';
import { initialMigration } from './0001-initial';
import { generationBatchesMigration } from './0002-generation-batches';
import { canvasPresetsSettingsMigration } from './0003-canvas-presets-settings';
import { generationSourcesMigration } from './0004-generation-sources';

/** Every schema step, oldest first; versions must run 1, 2, 3, … (checked by the runner). */
export const migrations: readonly Migration[] = [
  initialMigration,
  generationBatchesMigration,
  canvasPresetsSettingsMigration,
  generationSourcesMigration,
];

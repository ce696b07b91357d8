import type { Migration } from '../migrate';
import { initialMigration } from './0001-initial';
import { generationBatchesMigration } from './0002-generation-batches';

/** Every schema step, oldest first; versions must run 1, 2, 3, … (checked by the runner). */
export const migrations: readonly Migration[] = [initialMigration, generationBatchesMigration];

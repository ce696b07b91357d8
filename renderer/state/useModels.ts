/**
 * Installed models and which one the composer uses. Read once per connection and again on every
 * `models:changed`; the choice is remembered in localStorage.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Model } from '../../preload/contract';
import { useReportError } from './error-reporter';
import { readLocal, storageKeys, writeLocal } from './local-storage';
import { useConnectionSession, useStudioClient } from './studio-client-context';

export interface ModelsModel {
  /** Null until the first list arrives. */
  models: Model[] | null;
  /** The remembered model if it is still installed, else the newest one; null when none is installed. */
  selected: Model | null;
  select(id: string): void;
  reload(): void;
}

export function useModels(): ModelsModel {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [models, setModels] = useState<Model[] | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(() => readLocal(storageKeys.selectedModelId));
  const latestRequest = useRef(0);

  const refresh = useCallback(async () => {
    const request = ++latestRequest.current;
    const result = await client.call('models:list', {});
    if (request !== latestRequest.current) {
      return;
    }
    if (result.ok) {
      setModels(result.value.models);
    } else {
      report(result.error);
    }
  }, [client, report]);

  useEffect(() => {
    if (session === null) {
      return;
    }
    void refresh();
    return client.on('models:changed', () => void refresh());
  }, [client, session, refresh]);

  const select = useCallback((id: string) => {
    setSelectedId(id);
    writeLocal(storageKeys.selectedModelId, id);
  }, []);

  const selected =
    models === null ? null : (models.find((model) => model.id === selectedId) ?? newest(models));
  return { models, selected, select, reload: () => void refresh() };
}

function newest(models: Model[]): Model | null {
  return models.reduce<Model | null>((best, model) => (best === null || model.installedAt > best.installedAt ? model : best), null);
}

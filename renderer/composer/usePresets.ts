/** The saved parameter presets (`presets:*`), read once per connection; save and delete keep the list in step. */
import { useCallback, useEffect, useState } from 'react';
import type { Preset, PresetParams, Result } from '../../preload/contract';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';

export interface PresetsModel {
  presets: Preset[];
  save(name: string, params: PresetParams): Promise<Result<Preset>>;
  remove(name: string): Promise<Result<{ name: string }>>;
}

export function usePresets(): PresetsModel {
  const client = useStudioClient();
  const session = useConnectionSession();
  const [presets, setPresets] = useState<Preset[]>([]);

  useEffect(() => {
    if (session === null) {
      return;
    }
    let stale = false;
    void client.call('presets:list', {}).then((result) => {
      // Without a list the Preset box is empty; saving still works and says why if it cannot.
      if (!stale && result.ok) {
        setPresets(result.value.presets);
      }
    });
    return () => {
      stale = true;
    };
  }, [client, session]);

  const save = useCallback(
    async (name: string, params: PresetParams) => {
      const result = await client.call('presets:save', { name, params });
      if (result.ok) {
        const saved = result.value;
        setPresets((current) => [...current.filter((preset) => preset.name !== saved.name), saved].sort((a, b) => a.name.localeCompare(b.name)));
      }
      return result;
    },
    [client],
  );

  const remove = useCallback(
    async (name: string) => {
      const result = await client.call('presets:delete', { name });
      if (result.ok) {
        setPresets((current) => current.filter((preset) => preset.name !== name));
      }
      return result;
    },
    [client],
  );

  return { presets, save, remove };
}

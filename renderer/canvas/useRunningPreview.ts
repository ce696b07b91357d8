/**
 * The batch of this board that is running now, with its latest preview, for the ghost placeholder
 * drawn where the results will land. Found from `queue:get` when the board opens and from
 * `generation:state` events after that; `generation:progress` carries the preview rows.
 */
import { useEffect, useState } from 'react';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';

export interface RunningPreview {
  batchId: string;
  row: number;
  rows: number;
  /** A data: URL of the partly decoded image; null until the first preview arrives. */
  previewUrl: string | null;
}

export function useRunningPreview(boardId: string): RunningPreview | null {
  const client = useStudioClient();
  const session = useConnectionSession();
  const [running, setRunning] = useState<RunningPreview | null>(null);

  useEffect(() => {
    if (session === null) {
      return;
    }
    let active = true;
    // Batches known not to belong to this board, so their progress is ignored cheaply.
    const elsewhere = new Set<string>();
    const start = (batchId: string) =>
      setRunning((current) => (current?.batchId === batchId ? current : { batchId, row: 0, rows: 1, previewUrl: null }));

    void client.call('queue:get', {}).then((result) => {
      if (!active || !result.ok) {
        return;
      }
      const mine = result.value.generations.find((generation) => generation.status === 'running' && generation.boardId === boardId);
      if (mine) {
        start(mine.batchId);
      }
    });

    const offState = client.on('generation:state', (change) => {
      if (change.status !== 'running') {
        setRunning((current) => (current?.batchId === change.batchId ? null : current));
        return;
      }
      const first = change.generationIds[0];
      if (first === undefined || elsewhere.has(change.batchId)) {
        return;
      }
      void client.call('generations:get', { id: first }).then((result) => {
        if (!active || !result.ok) {
          return;
        }
        if (result.value.boardId === boardId && result.value.status === 'running') {
          start(change.batchId);
        } else {
          elsewhere.add(change.batchId);
        }
      });
    });

    const offProgress = client.on('generation:progress', (progress) => {
      setRunning((current) => {
        if (current?.batchId !== progress.batchId) {
          return current;
        }
        const previewUrl = progress.preview ? `data:image/png;base64,${progress.preview.pngBase64}` : current.previewUrl;
        return { batchId: current.batchId, row: progress.row, rows: progress.rows, previewUrl };
      });
    });

    return () => {
      active = false;
      offState();
      offProgress();
      setRunning(null);
    };
  }, [client, boardId, session]);

  return running;
}

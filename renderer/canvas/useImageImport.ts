/**
 * Bringing images onto the board: files (drop, paste, "Add images") are stored with `assets:import`
 * and placed with `items:add`; library images (dragged from the gallery or the queue) are placed
 * directly. A generated PNG also brings back its references and fills the composer from its
 * metadata. One import is one undo step.
 */
import { useCallback } from 'react';
import type { BoardItem, ImageMetadata } from '../../preload/contract';
import type { LibraryImageDrag } from '../state/drag-types';
import { useReportError } from '../state/error-reporter';
import { useStudioClient } from '../state/studio-client-context';
import { useComposerBridge } from '../studio/composer-bridge';
import { cleanFileName, loadAssetNames, saveAssetNames, withAssetName } from './asset-names';
import { loadImageSize } from './asset-images';
import type { Point } from './command-stack';
import { bytesToBase64, fileLabel, importErrorMessage, mayCarryMetadata, precheckFile } from './image-files';
import { mergeItems } from './item-list';
import { restoreMessage } from './restore-message';
import { displaySize, itemLongSide, placeColumnLeftOf, placeRow } from './placement';
import type { Rect } from './viewport';

export interface ImageImport {
  /** Imports and places `files` in a row starting at `at` (board units). */
  importFiles(files: readonly File[], at: Point): Promise<void>;
  placeLibraryImage(image: LibraryImageDrag, at: Point): Promise<void>;
}

interface ImportOptions {
  boardId: string;
  apply(change: (items: BoardItem[]) => BoardItem[]): void;
  /** Records the placed items as one undo step. */
  recordAdd(itemIds: string[]): void;
  /** Selects what was placed, so it can be moved or used at once. */
  select(itemIds: string[]): void;
  /** A sentence for the user that is not an error ("Restored the prompt of …"). */
  notify(message: string): void;
  /** Brings placed items into view. */
  reveal(rects: Rect[]): void;
}

interface StoredFile {
  file: File;
  sha256: string;
  width: number;
  height: number;
  metadata: ImageMetadata | null;
}

export function useImageImport({ boardId, apply, recordAdd, select, notify, reveal }: ImportOptions): ImageImport {
  const client = useStudioClient();
  const report = useReportError();
  const bridge = useComposerBridge();

  /** Stores one file; null (after telling the user, naming the file) when it is refused. */
  const store = useCallback(
    async (file: File): Promise<StoredFile | null> => {
      const refused = precheckFile(file);
      if (refused !== null) {
        report({ code: 'image_invalid', message: refused });
        return null;
      }
      let dataBase64: string;
      try {
        dataBase64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
      } catch {
        report({ code: 'image_invalid', message: `${fileLabel(file)} could not be read from the disk` });
        return null;
      }
      const name = cleanFileName(file.name);
      const stored = await client.call('assets:import', { name, dataBase64 });
      if (!stored.ok) {
        report({ ...stored.error, message: importErrorMessage(file, stored.error) });
        return null;
      }
      if (name !== '') {
        saveAssetNames(withAssetName(loadAssetNames(), stored.value.sha256, name));
      }
      let metadata: ImageMetadata | null = null;
      if (mayCarryMetadata(file)) {
        const read = await client.call('assets:readMetadata', { dataBase64 });
        // The image itself was fine (the library took it); unreadable metadata just means none.
        metadata = read.ok ? read.value.metadata : null;
      }
      return { file, ...stored.value, metadata };
    },
    [client, report],
  );

  /** Places images at `rects`; returns the items made, in order (a failed one is reported and left out). */
  const place = useCallback(
    async (images: { sha256: string; generationId?: string | null }[], rects: Rect[]): Promise<(BoardItem | null)[]> => {
      const placed: (BoardItem | null)[] = [];
      for (const [index, image] of images.entries()) {
        const rect = rects[index];
        if (rect === undefined) {
          placed.push(null);
          continue;
        }
        const generationId = image.generationId ?? null;
        const result = await client.call('items:add', {
          boardId,
          assetSha256: image.sha256,
          kind: generationId === null ? 'reference' : 'generation',
          generationId,
          ...rect,
        });
        if (result.ok) {
          placed.push(result.value);
        } else {
          report({ ...result.error, message: `Could not place the image on the board: ${result.error.message}` });
          placed.push(null);
        }
      }
      const made = placed.filter((item): item is BoardItem => item !== null);
      if (made.length > 0) {
        apply((items) => mergeItems(items, made));
      }
      return placed;
    },
    [client, boardId, apply, report],
  );

  /** The references of a generated PNG, placed beside it; in marker order, null where not in the library. */
  const restoreReferences = useCallback(
    async (metadata: ImageMetadata, anchor: Rect): Promise<(BoardItem | null)[]> => {
      const available = metadata.references.filter((reference) => reference.inLibrary);
      const sizes = await Promise.all(
        available.map(async (reference) => {
          const size = await loadImageSize(client.assetUrl(reference.sha256, 512));
          return size === null ? { width: itemLongSide, height: itemLongSide } : displaySize(size.width, size.height);
        }),
      );
      const placed = await place(
        available.map((reference) => ({ sha256: reference.sha256 })),
        placeColumnLeftOf(anchor, sizes),
      );
      let next = 0;
      return metadata.references.map((reference) => (reference.inLibrary ? (placed[next++] ?? null) : null));
    },
    [client, place],
  );

  const importFiles = useCallback(
    async (files: readonly File[], at: Point) => {
      const stored: StoredFile[] = [];
      for (const file of files) {
        const result = await store(file);
        if (result !== null) {
          stored.push(result);
        }
      }
      if (stored.length === 0) {
        return;
      }
      const rects = placeRow(
        stored.map((entry) => displaySize(entry.width, entry.height)),
        at,
      );
      const placed = await place(stored.map((entry) => ({ sha256: entry.sha256 })), rects);
      const added = placed.filter((item): item is BoardItem => item !== null);

      // A generated PNG: its references come back beside it and the composer takes its settings.
      const withMetadata = stored.findIndex((entry, index) => entry.metadata !== null && placed[index] !== null);
      const source = stored[withMetadata];
      const anchor = placed[withMetadata];
      if (source?.metadata && anchor) {
        const references = await restoreReferences(source.metadata, anchor);
        added.push(...references.filter((item): item is BoardItem => item !== null));
        const referenceIds = references.map((item) => item?.id ?? null);
        const composer = bridge.current();
        composer?.restore(source.metadata, referenceIds);
        notify(restoreMessage(fileLabel(source.file), source.metadata, referenceIds, composer !== null));
      }
      if (added.length > 0) {
        const ids = added.map((item) => item.id);
        recordAdd(ids);
        select(ids);
        reveal(added);
      }
    },
    [store, place, restoreReferences, bridge, notify, recordAdd, select, reveal],
  );

  const placeLibraryImage = useCallback(
    async (image: LibraryImageDrag, at: Point) => {
      const [rect] = placeRow([displaySize(image.width, image.height)], at);
      if (rect === undefined) {
        return;
      }
      const [item] = await place([{ sha256: image.assetSha256, generationId: image.generationId }], [rect]);
      if (item) {
        recordAdd([item.id]);
        select([item.id]);
        reveal([item]);
      }
    },
    [place, recordAdd, select, reveal],
  );

  return { importFiles, placeLibraryImage };
}

/**
 * The board canvas of one board: toolbar, the Konva drawing, its HTML overlays (items list, focus
 * rings, rubber band, hints, notices) and every way in for images. The parts live in their own
 * modules (state in use*.ts hooks, pure logic in plain modules); this component wires them to one
 * board.
 */
import Box from '@mui/material/Box';
import { useTheme } from '@mui/material/styles';
import type Konva from 'konva';
import { useCallback, useId, useMemo, useRef, useState } from 'react';
import type { Board } from '../../preload/contract';
import { useBoardItemsStore } from '../state/board-items-store';
import { readLocal, writeLocal } from '../state/local-storage';
import { useStudioClient } from '../state/studio-client-context';
import { useComposerBridge } from '../studio/composer-bridge';
import { BoardItemsList } from './BoardItemsList';
import { CanvasMessage } from './CanvasMessage';
import { CanvasNotice } from './CanvasNotice';
import { CanvasStage } from './CanvasStage';
import { CanvasToolbar } from './CanvasToolbar';
import { canvasColors } from './canvas-colors';
import type { ItemMove } from './command-stack';
import type { Ghost } from './GhostPreview';
import { withPositions } from './item-list';
import { ItemOutlines } from './ItemOutlines';
import type { CanvasKeyAction } from './keyboard';
import { ghostRect } from './placement';
import { emptySelection, selectInBand } from './selection';
import { useBoardViewport } from './useBoardViewport';
import { useCanvasHistory } from './useCanvasHistory';
import { useCanvasKeys } from './useCanvasKeys';
import { useCanvasNotice } from './useCanvasNotice';
import { useDrawnArea } from './useDrawnArea';
import { useElementSize } from './useElementSize';
import { useImageImport } from './useImageImport';
import { useImageInputs } from './useImageInputs';
import { useItemDrag } from './useItemDrag';
import { useRunningPreview } from './useRunningPreview';
import { useSelection } from './useSelection';
import { useSurfacePointer } from './useSurfacePointer';
import { boundsOf, gridSpacingPx, screenToBoard, thumbnailSizeFor, zoomStep } from './viewport';

const itemsListOpenKey = 'mentor-studio.canvas.itemsListOpen';

export function BoardCanvas({ board }: { board: Board }) {
  const client = useStudioClient();
  const bridge = useComposerBridge();
  const theme = useTheme();
  const colors = useMemo(() => canvasColors(theme), [theme]);
  const listId = useId();

  const { items, loadFailed, reload, apply, descriptions } = useBoardItemsStore();
  const itemList = useMemo(() => items ?? [], [items]);
  const itemsById = useRef(new Map<string, (typeof itemList)[number]>());
  itemsById.current = useMemo(() => new Map(itemList.map((item) => [item.id, item])), [itemList]);
  const { record, perform, undo, redo, canUndo, canRedo } = useCanvasHistory(apply, reload);
  const running = useRunningPreview(board.id);
  const { selection, selectionRef, selectedSet, setSelection, selectFromList } = useSelection(itemList);
  const { notice, notify, dismiss } = useCanvasNotice();
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [listOpen, setListOpen] = useState(() => readLocal(itemsListOpenKey) === 'true');

  const surfaceRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const size = useElementSize(surfaceRef);
  const viewport = useBoardViewport(board.id, size, items);
  const { view, viewRef, setView, zoomBy, fit, reveal } = viewport;
  const drawn = useDrawnArea(view, size);

  const labels = useMemo(() => new Map([...descriptions].map(([id, description]) => [id, description.label])), [descriptions]);

  const useAsReferences = useCallback(
    (itemIds: readonly string[]) => {
      const composer = bridge.current();
      if (composer === null) {
        notify('The prompt composer is not open, so the image cannot be added to a prompt.');
        return;
      }
      for (const itemId of itemIds) {
        composer.addReference(itemId);
      }
    },
    [bridge, notify],
  );

  const onMoved = useCallback(
    (moves: ItemMove[]) => {
      apply((current) => withPositions(current, new Map(moves.map((move) => [move.id, move.to]))));
      void perform({ kind: 'move', moves });
    },
    [apply, perform],
  );

  const deleteSelected = useCallback(() => {
    const ids = [...selectionRef.current];
    if (ids.length > 0) {
      setSelection(emptySelection);
      void perform({ kind: 'delete', itemIds: ids });
    }
  }, [perform, selectionRef, setSelection]);

  const { handlers, overComposer } = useItemDrag({ itemsById, selection: selectionRef, setSelection, onMoved, onDroppedOnComposer: useAsReferences });

  const keys = useCanvasKeys(surfaceRef, (action: CanvasKeyAction) => {
    const actions: Record<CanvasKeyAction, () => void> = {
      delete: deleteSelected,
      undo,
      redo,
      'select-all': () => setSelection(itemList.map((item) => item.id)),
      'zoom-in': () => zoomBy(zoomStep),
      'zoom-out': () => zoomBy(1 / zoomStep),
      fit,
    };
    actions[action]();
  });

  const surfacePointer = useSurfacePointer({
    surface: surfaceRef,
    stage: stageRef,
    view: viewRef,
    setView,
    spaceHeld: keys.spaceRef,
    onBand: (rect, shift) => setSelection(selectInBand(selectionRef.current, itemList, rect, shift)),
    onEmptyClick: (shift) => {
      if (!shift) {
        setSelection(emptySelection);
      }
    },
  });

  const importer = useImageImport({
    boardId: board.id,
    apply,
    recordAdd: (itemIds) => record({ kind: 'add', itemIds }),
    select: setSelection,
    notify,
    reveal,
  });
  const visibleCentre = () => screenToBoard(viewRef.current, { x: size.width / 2, y: size.height / 2 });
  const inputs = useImageInputs({
    importer,
    visibleCentre,
    boardPointAt: (clientX, clientY) => {
      const bounds = surfaceRef.current?.getBoundingClientRect();
      return screenToBoard(viewRef.current, { x: clientX - (bounds?.left ?? 0), y: clientY - (bounds?.top ?? 0) });
    },
  });

  const thumbnail = thumbnailSizeFor(view.scale, window.devicePixelRatio || 1);
  const imageUrl = useCallback((sha: string) => client.assetUrl(sha, thumbnail), [client, thumbnail]);
  const ghost = useMemo<Ghost | null>(
    () =>
      running === null
        ? null
        : {
            rect: ghostRect(boundsOf(itemList)),
            previewUrl: running.previewUrl,
            text: running.row > 0 ? `Generating… row ${running.row} of ${running.rows}` : 'Generating…',
          },
    [running, itemList],
  );

  const grid = gridSpacingPx(view.scale);
  return (
    <Box sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }} onKeyDown={keys.onKeyDown} onKeyUp={keys.onKeyUp}>
      <CanvasToolbar
        selectedCount={selection.length}
        canUndo={canUndo}
        canRedo={canRedo}
        zoomPercent={Math.round(view.scale * 100)}
        itemsListOpen={listOpen}
        itemsListId={listId}
        onAddFiles={(files) => void importer.importFiles(files, visibleCentre())}
        onUseAsReference={() => useAsReferences(selectionRef.current)}
        onDelete={deleteSelected}
        onUndo={undo}
        onRedo={redo}
        onZoomIn={() => zoomBy(zoomStep)}
        onZoomOut={() => zoomBy(1 / zoomStep)}
        onFit={fit}
        onToggleItemsList={() => {
          writeLocal(itemsListOpenKey, String(!listOpen));
          setListOpen(!listOpen);
        }}
      />
      <Box
        ref={surfaceRef}
        tabIndex={0}
        role="group"
        aria-label="Board surface"
        aria-roledescription="canvas"
        onPointerDown={(event) => {
          // Keys (Delete, Ctrl+Z, Space) follow focus: a press on the board gives it focus.
          if (stageRef.current?.content.contains(event.target as Node)) {
            surfaceRef.current?.focus({ preventScroll: true });
          }
          surfacePointer.onPointerDown(event);
        }}
        {...inputs.dropHandlers}
        sx={{
          position: 'relative',
          flex: 1,
          minHeight: 0,
          overflow: 'hidden',
          outline: 'none',
          cursor: surfacePointer.panning ? 'grabbing' : keys.spaceHeld ? 'grab' : 'default',
          bgcolor: 'background.default',
          backgroundImage: `radial-gradient(${theme.palette.divider} 1px, transparent 1px)`,
          '&:focus-visible': { boxShadow: `inset 0 0 0 2px ${theme.palette.primary.main}` },
        }}
        style={{ backgroundSize: `${grid}px ${grid}px`, backgroundPosition: `${view.x}px ${view.y}px` }}
      >
        {viewport.ready && size.width > 0 ? (
          <CanvasStage
            stageRef={stageRef}
            size={size}
            view={view}
            items={itemList}
            labels={labels}
            selected={selectedSet}
            draggable={!keys.spaceHeld}
            colors={colors}
            handlers={handlers}
            imageUrl={imageUrl}
            ghost={ghost}
            drawn={drawn}
          />
        ) : null}
        <ItemOutlines items={itemList} view={view} focusedId={focusedId} />
        {surfacePointer.band ? (
          <Box
            aria-hidden
            sx={{ position: 'absolute', pointerEvents: 'none', border: 1, borderColor: colors.band, bgcolor: colors.bandFill }}
            style={{ left: surfacePointer.band.x, top: surfacePointer.band.y, width: surfacePointer.band.width, height: surfacePointer.band.height }}
          />
        ) : null}
        <CanvasMessage items={items} loadFailed={loadFailed} onReload={reload} dropping={inputs.dropping} overComposer={overComposer} />
        <BoardItemsList
          id={listId}
          open={listOpen}
          items={itemList}
          descriptions={descriptions}
          selected={selectedSet}
          onSelect={selectFromList}
          onFocusItem={setFocusedId}
        />
        <CanvasNotice notice={notice} onClose={dismiss} />
      </Box>
    </Box>
  );
}

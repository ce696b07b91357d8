/**
 * The Konva drawing of a board: lineage arrows under the items, the items, and the ghost of a
 * running batch. Only items listen to the pointer; arrows, captions and the ghost are drawn only.
 */
import type Konva from 'konva';
import { memo, useMemo, type RefObject } from 'react';
import { Arrow, Layer, Stage } from 'react-konva';
import type { BoardItem } from '../../preload/contract';
import { CanvasItemNode, type ItemPointerHandlers } from './CanvasItemNode';
import type { CanvasColors } from './canvas-colors';
import { GhostPreview, type Ghost } from './GhostPreview';
import { curveBounds, lineageArrows, type LineageArrow } from './lineage';
import { rectsIntersect, type Rect, type Size, type Viewport } from './viewport';

interface CanvasStageProps {
  stageRef: RefObject<Konva.Stage | null>;
  size: Size;
  view: Viewport;
  items: readonly BoardItem[];
  labels: ReadonlyMap<string, string>;
  selected: ReadonlySet<string>;
  draggable: boolean;
  colors: CanvasColors;
  handlers: ItemPointerHandlers;
  imageUrl(sha256: string): string;
  ghost: Ghost | null;
  /** Board area worth drawing (the screen and a margin); items and arrows outside it are skipped. */
  drawn: Rect;
}

const minCaptionScale = 0.45;

export function CanvasStage(props: CanvasStageProps) {
  const { stageRef, size, view, items, labels, selected, draggable, colors, handlers, imageUrl, ghost, drawn } = props;
  // Below this zoom a caption would be a few pixels high: unreadable, and costly to draw hundreds of.
  const captions = view.scale >= minCaptionScale;
  const onScreen = useMemo(() => items.filter((item) => rectsIntersect(item, drawn)), [items, drawn]);
  const arrows = useMemo(() => lineageArrows(items), [items]);
  const arrowsOnScreen = useMemo(
    () => arrows.filter((arrow) => rectsIntersect(curveBounds(arrow.points), drawn)),
    [arrows, drawn],
  );
  return (
    <Stage ref={stageRef} width={size.width} height={size.height} x={view.x} y={view.y} scaleX={view.scale} scaleY={view.scale}>
      <Layer listening={false}>
        <LineageArrows arrows={arrowsOnScreen} color={colors.lineage} />
      </Layer>
      <Layer>
        {onScreen.map((item) => (
          <CanvasItemNode
            key={item.id}
            item={item}
            imageUrl={imageUrl(item.assetSha256)}
            caption={captions ? (labels.get(item.id) ?? '') : ''}
            selected={selected.has(item.id)}
            draggable={draggable}
            colors={colors}
            handlers={handlers}
          />
        ))}
      </Layer>
      <Layer listening={false}>{ghost ? <GhostPreview ghost={ghost} colors={colors} /> : null}</Layer>
    </Stage>
  );
}

/** One array for every arrow: a new one per render would make Konva reset every arrow's dash. */
const arrowDash = [10, 6];

const LineageArrows = memo(function LineageArrows({ arrows, color }: { arrows: readonly LineageArrow[]; color: string }) {
  return (
    <>
      {arrows.map((arrow) => (
        <Arrow
          key={arrow.key}
          points={arrow.points}
          bezier
          stroke={color}
          fill={color}
          strokeWidth={2}
          strokeScaleEnabled={false}
          pointerLength={12}
          pointerWidth={12}
          dash={arrowDash}
          perfectDrawEnabled={false}
        />
      ))}
    </>
  );
});

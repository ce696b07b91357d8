/**
 * One board item on the Konva stage: its image (or a visible placeholder while it loads or when it
 * cannot be loaded), a caption, and a selection frame. Memoised: panning and zooming move the stage,
 * not the items, so a few hundred items are not re-rendered per frame.
 */
import type Konva from 'konva';
import { memo, useRef } from 'react';
import { Group, Image as KonvaImage, Rect, Text } from 'react-konva';
import type { BoardItem } from '../../preload/contract';
import { useAssetImage, type AssetImageState } from './asset-images';
import type { CanvasColors } from './canvas-colors';

export interface ItemPointerHandlers {
  onPress(id: string, event: Konva.KonvaEventObject<PointerEvent>): void;
  onClick(id: string, event: Konva.KonvaEventObject<MouseEvent>): void;
  onDragStart(id: string, event: Konva.KonvaEventObject<DragEvent>): void;
  onDragMove(id: string, event: Konva.KonvaEventObject<DragEvent>): void;
  onDragEnd(id: string, event: Konva.KonvaEventObject<DragEvent>): void;
  /** Keeps a handle on the node so a group drag can move the other selected items with it. */
  register(id: string, node: Konva.Group | null): void;
}

interface CanvasItemNodeProps {
  item: BoardItem;
  imageUrl: string;
  caption: string;
  selected: boolean;
  draggable: boolean;
  colors: CanvasColors;
  handlers: ItemPointerHandlers;
}

const captionFontSize = 13;

export const CanvasItemNode = memo(function CanvasItemNode(props: CanvasItemNodeProps) {
  const { item, imageUrl, caption, selected, draggable, colors, handlers } = props;
  const loaded = useAssetImage(imageUrl);
  // While another thumbnail size loads (after a zoom), keep drawing the one we have.
  const shown = useRef<HTMLImageElement | null>(null);
  if (loaded.status === 'loaded') {
    shown.current = loaded.image;
  }
  const image: AssetImageState = loaded.status === 'loading' && shown.current ? { status: 'loaded', image: shown.current } : loaded;
  return (
    <Group
      ref={(node) => handlers.register(item.id, node)}
      x={item.x}
      y={item.y}
      draggable={draggable}
      onPointerDown={(event) => handlers.onPress(item.id, event)}
      onClick={(event) => handlers.onClick(item.id, event)}
      onDragStart={(event) => handlers.onDragStart(item.id, event)}
      onDragMove={(event) => handlers.onDragMove(item.id, event)}
      onDragEnd={(event) => handlers.onDragEnd(item.id, event)}
    >
      {image.status === 'loaded' ? (
        <KonvaImage image={image.image} width={item.width} height={item.height} perfectDrawEnabled={false} />
      ) : (
        <>
          <Rect width={item.width} height={item.height} fill={colors.placeholderFill} cornerRadius={4} perfectDrawEnabled={false} />
          <Text
            width={item.width}
            height={item.height}
            padding={12}
            align="center"
            verticalAlign="middle"
            fontSize={14}
            text={image.status === 'failed' ? 'This image could not be loaded' : 'Loading…'}
            fill={image.status === 'failed' ? colors.errorText : colors.placeholderText}
            listening={false}
          />
        </>
      )}
      {caption === '' ? null : (
        <Text
          y={item.height + 4}
          width={item.width}
          text={caption}
          fontSize={captionFontSize}
          fill={colors.caption}
          wrap="none"
          ellipsis
          listening={false}
          perfectDrawEnabled={false}
        />
      )}
      {selected ? (
        <Rect
          x={-3}
          y={-3}
          width={item.width + 6}
          height={item.height + 6}
          stroke={colors.selection}
          strokeWidth={3}
          strokeScaleEnabled={false}
          cornerRadius={4}
          listening={false}
        />
      ) : null}
    </Group>
  );
});

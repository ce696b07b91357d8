/** Where a running batch's result will land: a dashed frame with the live preview and the row count. */
import { useEffect, useState } from 'react';
import { Group, Image as KonvaImage, Rect, Text } from 'react-konva';
import type { CanvasColors } from './canvas-colors';
import type { Rect as BoardRect } from './viewport';

export interface Ghost {
  rect: BoardRect;
  /** data: URL of the latest preview; null before the first one. */
  previewUrl: string | null;
  text: string;
}

/** Decodes each new preview off to the side and swaps it in when ready, so the frame never blinks empty. */
function usePreviewImage(url: string | null): HTMLImageElement | null {
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    if (url === null) {
      return;
    }
    let current = true;
    const next = new Image();
    next.onload = () => {
      if (current) {
        setImage(next);
      }
    };
    next.src = url;
    return () => {
      current = false;
    };
  }, [url]);
  return url === null ? null : image;
}

const ghostDash = [8, 6];

export function GhostPreview({ ghost, colors }: { ghost: Ghost; colors: CanvasColors }) {
  const image = usePreviewImage(ghost.previewUrl);
  const { rect } = ghost;
  return (
    <Group x={rect.x} y={rect.y} opacity={0.85}>
      {image ? <KonvaImage image={image} width={rect.width} height={rect.height} /> : null}
      <Rect width={rect.width} height={rect.height} stroke={colors.ghost} strokeWidth={2} dash={ghostDash} strokeScaleEnabled={false} />
      <Text y={rect.height + 4} width={rect.width} text={ghost.text} fontSize={13} fill={colors.caption} wrap="none" ellipsis />
    </Group>
  );
}

/**
 * The centre of the Studio page: the board canvas on top, the prompt composer docked below it. The
 * two talk through the composer bridge (canvas → composer: add a reference, restore a PNG's
 * settings), which App provides above this view so the gallery can reach the composer too.
 */
import Box from '@mui/material/Box';
import { BoardCanvasRegion, type BoardCanvasRegionProps } from '../canvas/BoardCanvasRegion';
import { Composer } from '../composer/Composer';

export type StudioViewProps = BoardCanvasRegionProps;

export function StudioView(props: StudioViewProps) {
  return (
    <Box sx={{ flex: 1, minWidth: 0, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      <BoardCanvasRegion {...props} />
      {/* With no board there is nothing to compose for: the canvas says how to make one. */}
      {props.selected ? <Composer board={props.selected} /> : null}
    </Box>
  );
}

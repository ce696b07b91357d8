/**
 * The centre of the Studio page: the board canvas on top, the prompt composer docked below it. The
 * two share the selected board's items (BoardItemsProvider) and talk through the composer bridge
 * (canvas → composer: add a reference, restore a PNG's settings), which App provides above this view
 * so the gallery can reach the composer too.
 */
import Box from '@mui/material/Box';
import { BoardCanvasRegion, type BoardCanvasRegionProps } from '../canvas/BoardCanvasRegion';
import { Composer } from '../composer/Composer';
import { BoardItemsProvider } from '../state/board-items-store';

export type StudioViewProps = BoardCanvasRegionProps;

export function StudioView(props: StudioViewProps) {
  const { selected } = props;
  return (
    <Box sx={{ flex: 1, minWidth: 0, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      {selected ? (
        <BoardItemsProvider key={selected.id} boardId={selected.id}>
          <BoardCanvasRegion {...props} />
          <Composer board={selected} />
        </BoardItemsProvider>
      ) : (
        // With no board there is nothing to compose for: the canvas says how to make one.
        <BoardCanvasRegion {...props} />
      )}
    </Box>
  );
}

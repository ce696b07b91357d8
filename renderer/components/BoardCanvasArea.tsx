/**
 * The centre of the Studio page under the name App has always rendered; it is the StudioView (the
 * board canvas with the prompt composer below it).
 */
import { StudioView, type StudioViewProps } from '../studio/StudioView';

export function BoardCanvasArea(props: StudioViewProps) {
  return <StudioView {...props} />;
}

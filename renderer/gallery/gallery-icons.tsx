/** Icons of the gallery, drawn here (no icon package is installed). */
import SvgIcon, { type SvgIconProps } from '@mui/material/SvgIcon';

/** The star's outline, also drawn as a plain <svg> by the gallery tiles. */
export const starPath = 'M12 3.2l2.7 5.5 6 .9-4.35 4.25 1.03 6-5.38-2.83-5.38 2.83 1.03-6L3.3 9.6l6-.9z';

export function StarIcon({ filled, ...props }: SvgIconProps & { filled: boolean }) {
  return (
    <SvgIcon {...props}>
      <path d={starPath} fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={1.6} strokeLinejoin="round" />
    </SvgIcon>
  );
}

/** Two overlapping squares: a stack of variations. */
export const stackPath = 'M4 8h12v12H4z M8 4h12v12';

export function CopyIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path d="M9 9h11v11H9z M5 15H4V4h11v1" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinejoin="round" />
    </SvgIcon>
  );
}

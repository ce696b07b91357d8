/** Toolbar icons of the canvas, drawn here (no icon package is installed). */
import SvgIcon, { type SvgIconProps } from '@mui/material/SvgIcon';

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

export function AddImageIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M20 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h9" />
      <path {...stroke} d="M4 16l5-5 4 4 2-2 5 5M18 3v6M15 6h6" />
    </SvgIcon>
  );
}

export function UseAsReferenceIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <rect {...stroke} x="3" y="4" width="9" height="9" rx="1" />
      <path {...stroke} d="M7.5 13v4a1 1 0 0 0 1 1H20M16.5 14.5 20 18l-3.5 3.5" />
    </SvgIcon>
  );
}

export function DeleteIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6" />
    </SvgIcon>
  );
}

export function UndoIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M9 14 4 9l5-5" />
      <path {...stroke} d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11" />
    </SvgIcon>
  );
}

export function RedoIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="m15 14 5-5-5-5" />
      <path {...stroke} d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13" />
    </SvgIcon>
  );
}

export function ZoomInIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <circle {...stroke} cx="10.5" cy="10.5" r="6.5" />
      <path {...stroke} d="m20 20-4.5-4.5M10.5 7.5v6M7.5 10.5h6" />
    </SvgIcon>
  );
}

export function ZoomOutIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <circle {...stroke} cx="10.5" cy="10.5" r="6.5" />
      <path {...stroke} d="m20 20-4.5-4.5M7.5 10.5h6" />
    </SvgIcon>
  );
}

export function FitIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
      <rect {...stroke} x="8.5" y="8.5" width="7" height="7" rx="1" />
    </SvgIcon>
  );
}

export function ListIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M9 6h11M9 12h11M9 18h11" />
      <circle cx="4.5" cy="6" r="1.5" />
      <circle cx="4.5" cy="12" r="1.5" />
      <circle cx="4.5" cy="18" r="1.5" />
    </SvgIcon>
  );
}

/** The composer's few icons, drawn here like the shell's (no icon package is installed). */
import SvgIcon, { type SvgIconProps } from '@mui/material/SvgIcon';

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

export function BrokenImageIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M12 3.5 2.5 20h19L12 3.5zM12 10v4.5M12 17.2v.1" />
    </SvgIcon>
  );
}

export function DeleteIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M4 7h16M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13M10 11v5.5M14 11v5.5" />
    </SvgIcon>
  );
}

export function TemplateIcon(props: SvgIconProps) {
  return (
    <SvgIcon {...props}>
      <path {...stroke} d="M4 5h16M4 10h10M4 15h16M4 20h7" />
    </SvgIcon>
  );
}

/** The "Task template" button: MENTOR's training formats, each replacing the prompt (Ctrl+Z brings the old one back). */
import Button from '@mui/material/Button';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import { useRef, useState } from 'react';
import { TemplateIcon } from './composer-icons';
import { taskTemplates, type TaskTemplate } from './task-templates';

export function TemplateMenu({ onApply }: { onApply(template: TaskTemplate): void }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  // Applied once the menu is gone: while it closes it still holds the focus the prompt needs.
  const chosen = useRef<TaskTemplate | null>(null);
  return (
    <>
      <Button size="small" startIcon={<TemplateIcon />} aria-haspopup="menu" aria-expanded={anchor !== null} onClick={(event) => setAnchor(event.currentTarget)}>
        Task template
      </Button>
      <Menu
        open={anchor !== null}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        // A chosen template puts the caret in the prompt; focus must not jump back to this button.
        disableRestoreFocus
        slotProps={{
          list: { 'aria-label': 'Task templates' },
          transition: {
            onExited: () => {
              const template = chosen.current;
              chosen.current = null;
              if (template !== null) {
                onApply(template);
              }
            },
          },
        }}
      >
        {taskTemplates.map((template) => (
          <MenuItem
            key={template.id}
            onClick={() => {
              chosen.current = template;
              setAnchor(null);
            }}
          >
            <ListItemText primary={template.name} secondary={template.description} />
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}

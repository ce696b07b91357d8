/** The right panel: the generation queue and the gallery of results, one tab each. */
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useId, useState } from 'react';
import { layout } from '../theme';
import { EmptyState } from './EmptyState';

const tabs = [
  { value: 'queue', label: 'Queue', empty: 'Queue is empty', hint: 'Generations you start wait and run here.' },
  { value: 'gallery', label: 'Gallery', empty: 'No generations yet', hint: 'Finished images of this board appear here.' },
] as const;

type TabValue = (typeof tabs)[number]['value'];

export function SidePanel() {
  const [current, setCurrent] = useState<TabValue>('queue');
  const idPrefix = useId();
  return (
    <Box
      component="section"
      role="region"
      aria-label="Queue and gallery"
      sx={{
        width: layout.sidePanelWidthPx,
        flexShrink: 0,
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
        borderLeft: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
      }}
    >
      <Tabs
        value={current}
        onChange={(_event, value: TabValue) => setCurrent(value)}
        variant="fullWidth"
        sx={{ borderBottom: 1, borderColor: 'divider', flexShrink: 0 }}
      >
        {tabs.map((tab) => (
          <Tab
            key={tab.value}
            value={tab.value}
            label={tab.label}
            id={`${idPrefix}-tab-${tab.value}`}
            aria-controls={`${idPrefix}-panel-${tab.value}`}
          />
        ))}
      </Tabs>
      {tabs.map((tab) => (
        <Box
          key={tab.value}
          role="tabpanel"
          id={`${idPrefix}-panel-${tab.value}`}
          aria-labelledby={`${idPrefix}-tab-${tab.value}`}
          hidden={tab.value !== current}
          sx={{ flex: 1, minHeight: 0, overflowY: 'auto', display: tab.value === current ? 'flex' : 'none' }}
        >
          {tab.value === current ? <EmptyState title={tab.empty} hint={tab.hint} /> : null}
        </Box>
      ))}
    </Box>
  );
}

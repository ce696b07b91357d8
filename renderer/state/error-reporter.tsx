/**
 * Errors are data (`{ ok: false, error }`); the ones no dialog shows inline are reported here and
 * shown one at a time by ErrorSnackbar.
 */
import { createContext, use, useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import type { StudioError } from '../../preload/contract';

export interface ErrorNotice {
  id: number;
  message: string;
}

interface ErrorQueue {
  current: ErrorNotice | null;
  dismiss(id: number): void;
}

const ReportContext = createContext<((error: StudioError) => void) | null>(null);
const QueueContext = createContext<ErrorQueue | null>(null);

export function ErrorReporterProvider({ children }: { children: ReactNode }) {
  const [queue, setQueue] = useState<ErrorNotice[]>([]);
  const nextId = useRef(1);

  const report = useCallback((error: StudioError) => {
    setQueue((current) => {
      // While the server is away many calls fail with the same sentence; once is enough.
      if (current.some((notice) => notice.message === error.message)) {
        return current;
      }
      return [...current, { id: nextId.current++, message: error.message }];
    });
  }, []);

  const dismiss = useCallback((id: number) => {
    setQueue((current) => current.filter((notice) => notice.id !== id));
  }, []);

  const errorQueue = useMemo(() => ({ current: queue[0] ?? null, dismiss }), [queue, dismiss]);

  return (
    <ReportContext value={report}>
      <QueueContext value={errorQueue}>{children}</QueueContext>
    </ReportContext>
  );
}

export function useReportError(): (error: StudioError) => void {
  const report = use(ReportContext);
  if (!report) {
    throw new Error('useReportError needs an ErrorReporterProvider');
  }
  return report;
}

export function useErrorQueue(): ErrorQueue {
  const queue = use(QueueContext);
  if (!queue) {
    throw new Error('useErrorQueue needs an ErrorReporterProvider');
  }
  return queue;
}

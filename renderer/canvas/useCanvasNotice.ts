/** One sentence at a time for the user that is not an error; it goes away by itself after a while. */
import { useCallback, useEffect, useState } from 'react';

export interface CanvasNotice {
  id: number;
  text: string;
}

const visibleMs = 8000;

export function useCanvasNotice() {
  const [notice, setNotice] = useState<CanvasNotice | null>(null);
  const notify = useCallback((text: string) => setNotice((current) => ({ id: (current?.id ?? 0) + 1, text })), []);
  const dismiss = useCallback(() => setNotice(null), []);
  useEffect(() => {
    if (notice === null) {
      return;
    }
    const timer = window.setTimeout(() => setNotice((current) => (current?.id === notice.id ? null : current)), visibleMs);
    return () => window.clearTimeout(timer);
  }, [notice]);
  return { notice, notify, dismiss };
}

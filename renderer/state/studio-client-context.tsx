/** Hands the one StudioClient of this window to components, and its connection status. */
import { createContext, use, useCallback, useSyncExternalStore, type ReactNode } from 'react';
import type { ConnectionStatus, StudioClient } from '../transport/studio-client';

const StudioClientContext = createContext<StudioClient | null>(null);

export function StudioClientProvider({ client, children }: { client: StudioClient; children: ReactNode }) {
  return <StudioClientContext value={client}>{children}</StudioClientContext>;
}

export function useStudioClient(): StudioClient {
  const client = use(StudioClientContext);
  if (!client) {
    throw new Error('useStudioClient needs a StudioClientProvider');
  }
  return client;
}

export function useConnectionStatus(): ConnectionStatus {
  const client = useStudioClient();
  const subscribe = useCallback((listener: () => void) => client.status.subscribe(listener), [client]);
  const getSnapshot = useCallback(() => client.status.get(), [client]);
  return useSyncExternalStore(subscribe, getSnapshot);
}

/** The number of the current connection, or null while there is none; effects that read state key on it. */
export function useConnectionSession(): number | null {
  const status = useConnectionStatus();
  return status.kind === 'open' ? status.session : null;
}

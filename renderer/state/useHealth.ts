/** `app:health` once per connection, kept current by `engine:state` events. */
import { useEffect, useState } from 'react';
import type { EngineState, Health } from '../../preload/contract';
import { useReportError } from './error-reporter';
import { useConnectionSession, useStudioClient } from './studio-client-context';

export interface HealthView {
  /** Null until the first answer. */
  health: Health | null;
  /** The latest engine state, from the health answer or a later event. */
  engine: EngineState | null;
}

export function useHealth(): HealthView {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [health, setHealth] = useState<Health | null>(null);
  const [engine, setEngine] = useState<EngineState | null>(null);

  useEffect(() => {
    if (session === null) {
      return;
    }
    let current = true;
    void client.call('app:health', {}).then((result) => {
      if (!current) {
        return;
      }
      if (result.ok) {
        setHealth(result.value);
        setEngine(result.value.engine);
      } else {
        report(result.error);
      }
    });
    return () => {
      current = false;
    };
  }, [client, session, report]);

  useEffect(() => client.on('engine:state', setEngine), [client]);

  return { health, engine };
}

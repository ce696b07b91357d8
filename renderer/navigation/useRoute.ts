/** The current page from `location.hash`, kept in step with the back/forward buttons. */
import { useCallback, useSyncExternalStore } from 'react';
import { hashOf, routeFromHash, type PageRoute } from './routes';

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

function currentRoute(): PageRoute {
  return routeFromHash(window.location.hash);
}

export function useRoute(): { route: PageRoute; navigate(route: PageRoute): void } {
  const route = useSyncExternalStore(subscribe, currentRoute);
  const navigate = useCallback((next: PageRoute) => {
    if (routeFromHash(window.location.hash) !== next || window.location.hash === '') {
      window.location.hash = hashOf(next);
    }
  }, []);
  return { route, navigate };
}

/**
 * The access token of the `npm run serve` transport. The server prints a link ending in
 * `#token=…`; the fragment never reaches the server's logs. The token is kept in sessionStorage
 * (this tab only, so a reload still works) and removed from the address bar so it is not
 * bookmarked, shared in a screenshot or left in the history.
 */

export const accessTokenStorageKey = 'mentor-studio.accessToken';

export interface TokenScope {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/** Reads the token from the fragment (then hides it) or from sessionStorage; null when neither has one. */
export function takeAccessToken(scope: TokenScope): string | null {
  const fromHash = new URLSearchParams(scope.location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    try {
      scope.sessionStorage.setItem(accessTokenStorageKey, fromHash);
    } catch {
      // Storage can be disabled; the token still works until the page is reloaded.
    }
    scope.history.replaceState(scope.history.state, '', scope.location.pathname + scope.location.search);
    return fromHash;
  }
  try {
    return scope.sessionStorage.getItem(accessTokenStorageKey) || null;
  } catch {
    return null;
  }
}

/**
 * Asks the server whether it accepts the token, over plain HTTP (`GET /api/health`). The WebSocket
 * handshake hides the HTTP status of a refusal, so this is how the client tells "wrong token" from
 * "server down".
 */
export function httpAccessCheck(
  fetchImpl: typeof fetch,
  token: string,
): () => Promise<'accepted' | 'refused' | 'unknown'> {
  return async () => {
    try {
      const response = await fetchImpl('/api/health', {
        headers: { Authorization: `Bearer ${token}` },
        cache: 'no-store',
      });
      return response.status === 401 ? 'refused' : 'accepted';
    } catch {
      return 'unknown';
    }
  };
}

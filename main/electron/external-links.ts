/**
 * Which links the studio hands to the system browser (security checklist #15): `https:` only, to a
 * short list of hosts the UI actually links to. Everything else is dropped, because
 * `shell.openExternal` on an arbitrary URL can start any registered protocol handler.
 */

/** Exact host names; a subdomain is a different host and needs its own entry. */
export const externalHosts: ReadonlySet<string> = new Set([
  'github.com',
  'huggingface.co',
  'arxiv.org',
  'www.electronjs.org',
]);

export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    externalHosts.has(parsed.hostname)
  );
}

/**
 * What the window does with a link that asks for a new window: never a new Electron window; an
 * allowed link opens in the system browser. Returns whether it was opened.
 */
export function openExternalIfAllowed(url: string, openExternal: (url: string) => Promise<void>): boolean {
  if (!isAllowedExternalUrl(url)) {
    console.warn(`Not opening ${url}: only https links to ${[...externalHosts].join(', ')} are opened`);
    return false;
  }
  openExternal(url).catch((error: unknown) => console.warn(`Could not open ${url}`, error));
  return true;
}

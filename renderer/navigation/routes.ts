/**
 * The studio's pages as hash routes (`#/`, `#/gallery`, `#/models`), so a reload keeps the page.
 * The serve link also arrives with a fragment (`#token=…`, removed by transport/access-token.ts before
 * the app renders); anything that is not one of our paths reads as the Studio page, so the two never
 * fight over the fragment.
 */

export const pages = [
  { route: 'studio', label: 'Studio', hash: '#/' },
  { route: 'gallery', label: 'Gallery', hash: '#/gallery' },
  { route: 'models', label: 'Models', hash: '#/models' },
] as const;

export type PageRoute = (typeof pages)[number]['route'];

/** The page a location fragment names; unknown fragments (including a leftover token) are the Studio. */
export function routeFromHash(hash: string): PageRoute {
  const path = hash.replace(/^#/, '').split(/[?&]/, 1)[0] ?? '';
  const normalised = path.replace(/\/+$/, '').toLowerCase();
  const page = pages.find((candidate) => candidate.hash.slice(1).replace(/\/+$/, '') === normalised);
  return page?.route ?? 'studio';
}

export function hashOf(route: PageRoute): string {
  return pages.find((page) => page.route === route)?.hash ?? '#/';
}

import { describe, expect, it } from 'vitest';
import { hashOf, routeFromHash } from './routes';

describe('routeFromHash', () => {
  it('reads the three pages, with or without a trailing slash or query', () => {
    expect(routeFromHash('#/gallery')).toBe('gallery');
    expect(routeFromHash('#/models/')).toBe('models');
    expect(routeFromHash('#/gallery?text=cat')).toBe('gallery');
    expect(routeFromHash('#/')).toBe('studio');
  });

  it('treats an empty fragment, the serve token and unknown paths as the Studio page', () => {
    expect(routeFromHash('')).toBe('studio');
    expect(routeFromHash('#token=abc123')).toBe('studio');
    expect(routeFromHash('#/nowhere')).toBe('studio');
  });

  it('round-trips every page through its hash', () => {
    for (const route of ['studio', 'gallery', 'models'] as const) {
      expect(routeFromHash(hashOf(route))).toBe(route);
    }
  });
});

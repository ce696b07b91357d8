/**
 * The Content-Security-Policy the renderer is served with, by both transports: the
 * `mentor-studio://` protocol handler in Electron and the HTTP server of `npm run serve`.
 * Keeping one builder means the two cannot drift apart.
 */

export type ContentSecurityPolicyOptions = {
  /**
   * Extra `connect-src` sources besides `'self'`, e.g. the WebSocket URL of the serve transport
   * (`ws://127.0.0.1:4173`). Empty for Electron, where the renderer talks to main over IPC only.
   */
  connectSrc: string[];
};

/**
 * @example
 * contentSecurityPolicy({ connectSrc: [] });
 * // "default-src 'self'; script-src 'self'; ...; connect-src 'self'; ..."
 */
export function contentSecurityPolicy(options: ContentSecurityPolicyOptions): string {
  for (const source of options.connectSrc) {
    // A source with a separator would smuggle in a directive of its own.
    if (source === '' || /[\s;,'"]/.test(source)) {
      throw new Error(`Not a valid connect-src source: ${JSON.stringify(source)}`);
    }
  }
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    // MUI styles through Emotion, which injects <style> elements at runtime; without
    // 'unsafe-inline' here every component renders unstyled. Scripts stay strict.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    // data: for small inlined assets, blob: for generated images shown before they are saved.
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['connect-src', ["'self'", ...options.connectSrc]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

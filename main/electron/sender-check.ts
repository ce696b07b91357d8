/**
 * Who may talk to main over IPC: only the studio's own top-level page (security checklist #17).
 * A subframe, a page on another origin, a `file://` page or a frame that is already gone is refused.
 * Pure: tests call it with fake events, main passes Electron's `IpcMainInvokeEvent`.
 */

/** The part of Electron's `WebFrameMain` the check reads. */
export type SenderFrame = { url: string; parent: unknown | null };

/** The part of Electron's `IpcMainInvokeEvent` the check reads. */
export type SenderEvent = { senderFrame: SenderFrame | null };

export type TrustedOrigins = {
  /** The studio's own origin, `mentor-studio://app`. */
  origin: string;
  /** The renderer dev server (e.g. `http://localhost:5173`); main sets it only when not packaged. */
  devOrigin?: string;
};

export function isTrustedSender(event: SenderEvent, allowed: TrustedOrigins): boolean {
  let url: string;
  let parent: unknown;
  try {
    const frame = event.senderFrame;
    if (frame === null || frame === undefined) {
      return false;
    }
    // Reading a disposed WebFrameMain throws; a frame that is gone is not trusted.
    url = frame.url;
    parent = frame.parent;
  } catch {
    return false;
  }
  // Only the top-level frame: an iframe inside our page must not reach main, even if same-origin.
  if (parent !== null) {
    return false;
  }
  // VS Code accepts an empty URL because Playwright runs produced one (microsoft/vscode#147301);
  // we do not: an empty URL is refused like any other unknown page.
  return isTrustedPageUrl(url, allowed);
}

/** True for a URL on the studio's origin (or the dev server's). Used for senders and navigation. */
export function isTrustedPageUrl(url: string, allowed: TrustedOrigins): boolean {
  const page = parseUrl(url);
  if (page === null || page.username !== '' || page.password !== '') {
    return false;
  }
  if (isSameOrigin(page, allowed.origin)) {
    return true;
  }
  return allowed.devOrigin !== undefined && isSameOrigin(page, allowed.devOrigin);
}

/**
 * Compares scheme, host and port. Not `URL.origin`: for a scheme the WHATWG parser does not know
 * (ours), `origin` is the opaque `"null"` and would match every other unknown scheme.
 */
function isSameOrigin(page: URL, expected: string): boolean {
  const origin = parseUrl(expected);
  if (origin === null) {
    return false;
  }
  return (
    page.protocol === origin.protocol &&
    page.hostname !== '' &&
    page.hostname === origin.hostname &&
    page.port === origin.port
  );
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

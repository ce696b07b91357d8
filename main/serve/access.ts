import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 256 random bits, URL-safe: the studio link carries it in the fragment, never in a request line. */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token a request presents: `Authorization: Bearer T` or `?token=T` (a WebSocket cannot set headers). */
export function presentedToken(request: Pick<IncomingMessage, 'headers' | 'url'>): string | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? null;
  }
  const url = new URL(request.url ?? '/', 'http://placeholder');
  return url.searchParams.get('token');
}

export function tokenMatches(presented: string | null, expected: string): boolean {
  if (presented === null) {
    return false;
  }
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  // Compare in constant time so the token cannot be guessed byte by byte from response times.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The origins and Host values the studio answers to. Checking Host as well as Origin keeps a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1) from talking to the server.
 */
export class AllowedOrigins {
  private readonly hosts: Set<string>;

  constructor(hostNames: string[], port: number) {
    this.hosts = new Set(hostNames.map((name) => `${bracketIpv6(name)}:${port}`));
  }

  hostAllowed(hostHeader: string | undefined): boolean {
    return hostHeader !== undefined && this.hosts.has(hostHeader.toLowerCase());
  }

  /** A missing Origin is a non-browser client (curl, the CLI); the token still guards it. */
  originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) {
      return true;
    }
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.hosts.has(url.host.toLowerCase());
    } catch {
      return false;
    }
  }

  get list(): string[] {
    return [...this.hosts];
  }
}

function bracketIpv6(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name.toLowerCase();
}

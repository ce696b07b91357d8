import { describe, expect, it } from 'vitest';
import { isTrustedPageUrl, isTrustedSender, type SenderEvent } from './sender-check';
import { studioOrigin } from './studio-origin';

const allowed = { origin: studioOrigin };
const withDev = { origin: studioOrigin, devOrigin: 'http://localhost:5173' };

function topFrame(url: string): SenderEvent {
  return { senderFrame: { url, parent: null } };
}

describe('isTrustedSender', () => {
  it('accepts the studio page in the top-level frame', () => {
    expect(isTrustedSender(topFrame('mentor-studio://app/index.html'), allowed)).toBe(true);
    expect(isTrustedSender(topFrame('mentor-studio://app/'), allowed)).toBe(true);
    expect(isTrustedSender(topFrame('mentor-studio://app/boards?id=1#x'), allowed)).toBe(true);
  });

  it('refuses a missing frame', () => {
    expect(isTrustedSender({ senderFrame: null }, allowed)).toBe(false);
  });

  it('refuses a frame that throws when read (disposed)', () => {
    const disposed = {
      get senderFrame(): never {
        throw new Error('Render frame was disposed');
      },
    };
    expect(isTrustedSender(disposed, allowed)).toBe(false);
    const frame = {
      get url(): string {
        throw new Error('disposed');
      },
      parent: null,
    };
    expect(isTrustedSender({ senderFrame: frame }, allowed)).toBe(false);
  });

  it('refuses a subframe, even on our own origin', () => {
    const parent = { url: 'mentor-studio://app/index.html', parent: null };
    expect(isTrustedSender({ senderFrame: { url: 'mentor-studio://app/frame.html', parent } }, allowed)).toBe(false);
  });

  it.each([
    'https://evil.example/',
    'http://localhost:5173/',
    'file:///work/main/out/renderer/index.html',
    'mentor-studio://evil/index.html',
    'mentor-studio://app:8080/index.html',
    'mentor-studio://user:pass@app/index.html',
    'other-scheme://app/index.html',
    'mentor-studio:app/index.html',
    'about:blank',
    '',
    'not a url',
  ])('refuses %j', (url) => {
    expect(isTrustedSender(topFrame(url), allowed)).toBe(false);
  });

  it('accepts the dev server only when it is configured', () => {
    expect(isTrustedSender(topFrame('http://localhost:5173/index.html'), withDev)).toBe(true);
    expect(isTrustedSender(topFrame('http://localhost:5174/index.html'), withDev)).toBe(false);
    expect(isTrustedSender(topFrame('https://localhost:5173/index.html'), withDev)).toBe(false);
    expect(isTrustedSender(topFrame('mentor-studio://app/index.html'), withDev)).toBe(true);
  });
});

describe('isTrustedPageUrl', () => {
  it('does not treat opaque origins as equal', () => {
    // new URL('x-other://app').origin === 'null' === new URL('mentor-studio://app').origin
    expect(isTrustedPageUrl('x-other://app/index.html', allowed)).toBe(false);
    expect(isTrustedPageUrl('data:text/html,hi', allowed)).toBe(false);
  });
});

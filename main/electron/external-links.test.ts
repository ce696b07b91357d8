import { describe, expect, it, vi } from 'vitest';
import { isAllowedExternalUrl, openExternalIfAllowed } from './external-links';

describe('isAllowedExternalUrl', () => {
  it.each([
    'https://github.com/owner/repo',
    'https://huggingface.co/some/model',
    'https://www.electronjs.org/docs/latest/tutorial/security',
    'https://arxiv.org/abs/1234.5678',
  ])('allows %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(true);
  });

  it.each([
    'http://github.com/owner/repo',
    'https://evil.example/',
    'https://github.com.evil.example/',
    'https://gist.github.com/x',
    'https://user:pass@github.com/',
    'https://github.com:8443/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://github.com/share',
    'mentor-studio://app/index.html',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(false);
  });
});

describe('openExternalIfAllowed', () => {
  it('opens allowed links and drops the rest', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const openExternal = vi.fn(async () => undefined);
    expect(openExternalIfAllowed('https://github.com/x', openExternal)).toBe(true);
    expect(openExternalIfAllowed('file:///etc/passwd', openExternal)).toBe(false);
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(openExternal).toHaveBeenCalledWith('https://github.com/x');
    warn.mockRestore();
  });
});

import { describe, expect, it } from 'vitest';
import { resolveDataFolder } from './data-folder';

const linux = { platform: 'linux', homedir: '/home/ada', cwd: '/work' } as const;

describe('resolveDataFolder', () => {
  it('prefers --home over MENTOR_STUDIO_HOME and the platform folder', () => {
    const env = { MENTOR_STUDIO_HOME: '/srv/studio', XDG_DATA_HOME: '/xdg' };
    expect(resolveDataFolder({ ...linux, env, home: '/mnt/library' })).toBe('/mnt/library');
  });

  it('uses MENTOR_STUDIO_HOME when there is no --home', () => {
    expect(resolveDataFolder({ ...linux, env: { MENTOR_STUDIO_HOME: '/srv/studio' } })).toBe('/srv/studio');
  });

  it('resolves relative and ~ paths to absolute ones', () => {
    expect(resolveDataFolder({ ...linux, env: {}, home: 'lib' })).toBe('/work/lib');
    expect(resolveDataFolder({ ...linux, env: { MENTOR_STUDIO_HOME: '../x' } })).toBe('/x');
    expect(resolveDataFolder({ ...linux, env: {}, home: '~/studio' })).toBe('/home/ada/studio');
  });

  it('treats empty values as unset', () => {
    expect(resolveDataFolder({ ...linux, env: { MENTOR_STUDIO_HOME: '' }, home: ' ' })).toBe(
      '/home/ada/.local/share/mentor-studio',
    );
  });

  it('uses XDG_DATA_HOME on Linux, ignoring a relative one as the XDG spec asks', () => {
    expect(resolveDataFolder({ ...linux, env: { XDG_DATA_HOME: '/data' } })).toBe('/data/mentor-studio');
    expect(resolveDataFolder({ ...linux, env: { XDG_DATA_HOME: 'rel' } })).toBe('/home/ada/.local/share/mentor-studio');
    expect(resolveDataFolder({ ...linux, platform: 'freebsd', env: {} })).toBe('/home/ada/.local/share/mentor-studio');
  });

  it('uses Application Support on macOS', () => {
    expect(resolveDataFolder({ platform: 'darwin', homedir: '/Users/ada', env: { XDG_DATA_HOME: '/xdg' } })).toBe(
      '/Users/ada/Library/Application Support/MENTOR Studio',
    );
  });

  it('uses %APPDATA% on Windows, with Windows path rules', () => {
    const windows = { platform: 'win32', homedir: 'C:\\Users\\ada', cwd: 'C:\\work' } as const;
    expect(resolveDataFolder({ ...windows, env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\MENTOR Studio',
    );
    expect(resolveDataFolder({ ...windows, env: {} })).toBe('C:\\Users\\ada\\AppData\\Roaming\\MENTOR Studio');
    expect(resolveDataFolder({ ...windows, env: {}, home: 'lib' })).toBe('C:\\work\\lib');
  });
});

import { describe, expect, it } from 'vitest';
import { bytesToBase64, importErrorMessage, mayCarryMetadata, maxImageBytes, precheckFile } from './image-files';

describe('image files', () => {
  it('encodes bytes as base64, across chunk boundaries', () => {
    expect(bytesToBase64(new Uint8Array([77, 97, 110, 255]))).toBe('TWFu/w==');
    const bytes = new Uint8Array(100_000);
    for (let index = 0; index < bytes.length; index++) {
      bytes[index] = (index * 31 + 7) % 256;
    }
    const decoded = atob(bytesToBase64(bytes));
    expect(decoded.length).toBe(bytes.length);
    expect(Array.from(decoded, (char) => char.charCodeAt(0))).toEqual(Array.from(bytes));
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });

  it('refuses empty and oversized files before uploading them, naming them', () => {
    expect(precheckFile({ name: 'empty.png', size: 0, type: 'image/png' })).toBe('empty.png is empty (0 bytes)');
    expect(precheckFile({ name: 'huge.tif', size: maxImageBytes + 1, type: 'image/tiff' })).toBe('huge.tif is 50 MB; the limit is 50 MB');
    expect(precheckFile({ name: 'ok.jpg', size: 1234, type: 'image/jpeg' })).toBeNull();
  });

  it('every import error names the file', () => {
    const file = { name: 'notes.txt', size: 10, type: 'text/plain' };
    expect(importErrorMessage(file, { code: 'image_invalid', message: 'notes.txt is not an image sharp can read' })).toBe(
      'notes.txt is not an image sharp can read',
    );
    expect(importErrorMessage(file, { code: 'unreachable', message: 'The studio is not reachable' })).toBe(
      'notes.txt: The studio is not reachable',
    );
    expect(importErrorMessage({ name: '', size: 10, type: 'image/png' }, { code: 'image_invalid', message: 'is damaged' })).toBe(
      'the pasted image: is damaged',
    );
  });

  it('looks for MENTOR metadata in PNGs only', () => {
    expect(mayCarryMetadata({ name: 'result.png', size: 1, type: '' })).toBe(true);
    expect(mayCarryMetadata({ name: 'x', size: 1, type: 'image/png' })).toBe(true);
    expect(mayCarryMetadata({ name: 'photo.jpg', size: 1, type: 'image/jpeg' })).toBe(false);
  });
});

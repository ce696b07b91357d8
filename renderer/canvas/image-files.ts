/**
 * Files the user brings to the board (drop, paste, "Add images"): which ones to try, their bytes as
 * base64 for `assets:import`, and error sentences that always name the file.
 */
import type { StudioError } from '../../preload/contract';

/** The library refuses larger images; saying so here spares uploading them first. */
export const maxImageBytes = 50_000_000;

export interface PickedFile {
  name: string;
  size: number;
  type: string;
}

/** Base64 of bytes, in chunks (one `String.fromCharCode` call over 50 MB would overflow the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  const chunk = 0x8000;
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return btoa(binary);
}

/** A name for a file that has none (a pasted screenshot is often called "image.png" or nothing). */
export function fileLabel(file: PickedFile): string {
  return file.name.trim() === '' ? 'the pasted image' : file.name;
}

/** Refused before upload: empty or over the size limit. Null when the file may be sent. */
export function precheckFile(file: PickedFile): string | null {
  if (file.size === 0) {
    return `${fileLabel(file)} is empty (0 bytes)`;
  }
  if (file.size > maxImageBytes) {
    const megabytes = (bytes: number) => `${Math.round(bytes / 1_000_000)} MB`;
    return `${fileLabel(file)} is ${megabytes(file.size)}; the limit is ${megabytes(maxImageBytes)}`;
  }
  return null;
}

/** The library's error for one file, with the file's name in it (the library usually names it already). */
export function importErrorMessage(file: PickedFile, error: StudioError): string {
  const label = fileLabel(file);
  return error.message.includes(label) ? error.message : `${label}: ${error.message}`;
}

/** Only PNGs can carry MENTOR's parameters (the `mentor` text chunk). */
export function mayCarryMetadata(file: PickedFile): boolean {
  return file.type === 'image/png' || /\.png$/i.test(file.name);
}

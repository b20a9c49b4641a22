/**
 * Bytes → text, refusing what is not text: a manifest with NUL bytes or invalid UTF-8 is a binary
 * file named by mistake (an image, an archive), and reading it as YAML would only produce noise.
 * UTF-16 with a byte-order mark (what Windows PowerShell 5 writes for `helm template > out.yaml`) is
 * decoded. Pure: no IO.
 */
import { InputError } from './errors';

export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return decode(bytes, 'utf-16le', file);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return decode(bytes, 'utf-16be', file);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const line = countLines(bytes, nul);
    throw new InputError(`is a binary file, not YAML or JSON (NUL byte at offset ${nul})`, file, line);
  }
  return decode(bytes, 'utf-8', file);
}

function decode(bytes: Uint8Array, encoding: string, file: string): string {
  try {
    // fatal: invalid sequences throw instead of becoming U+FFFD; the BOM is dropped.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder(encoding).decode(bytes);
    const bad = lossy.indexOf('\uFFFD');
    const line = bad >= 0 ? lossy.slice(0, bad).split('\n').length : undefined;
    throw new InputError(`is not valid ${encoding.toUpperCase()} text (a binary file?)`, file, line);
  }
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

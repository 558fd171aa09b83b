/**
 * A file's base64 (how the Import dialog sends it) to its bytes, a slice at a time with turns of the event
 * loop between: decoding 13 MB of base64 at once held the main thread for about 40 ms, on top of the call's
 * own checks (issue #17: never blocked for more than 100 ms).
 */
import { Slices } from './slices';

/** Characters decoded per step: a multiple of 4, so each slice decodes whole (padding only ends the last). */
const CHARS_PER_STEP = 1024 * 1024;

export async function bytesOfBase64(data: string): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(Math.ceil(data.length / 4) * 3);
  let written = 0;
  const slices = new Slices();
  for (let at = 0; at < data.length; at += CHARS_PER_STEP) {
    written += bytes.write(data.slice(at, at + CHARS_PER_STEP), written, 'base64');
    await slices.maybePause();
  }
  return bytes.subarray(0, written);
}

/** Byte-level looks at files the tests keep or damage. */
import crypto from 'node:crypto';
import fs from 'node:fs';

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The page size a SQLite file's header declares (bytes 16–17; 1 means 65,536). */
export function pageSizeOf(file: string): number {
  const header = Buffer.alloc(18);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, header, 0, 18, 0);
  fs.closeSync(fd);
  const size = header.readUInt16BE(16);
  return size === 1 ? 65536 : size;
}

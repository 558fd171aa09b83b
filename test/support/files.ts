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

/** Flips the header of the b-tree page nearest the end of the file (a table or index page, not the schema): quick_check finds it, opening does not. */
export function damageTablePage(file: string): void {
  const page = pageSizeOf(file);
  const pages = Math.floor(fs.statSync(file).size / page);
  const fd = fs.openSync(file, 'r+');
  try {
    for (let p = pages; p > 2; p--) {
      const header = Buffer.alloc(24);
      fs.readSync(fd, header, 0, 24, (p - 1) * page);
      if (![2, 5, 10, 13].includes(header[0] ?? 0)) continue;
      for (let i = 0; i < header.length; i++) header[i] = (header[i] ?? 0) ^ 0xff;
      fs.writeSync(fd, header, 0, 24, (p - 1) * page);
      return;
    }
  } finally {
    fs.closeSync(fd);
  }
  throw new Error('no b-tree page found');
}

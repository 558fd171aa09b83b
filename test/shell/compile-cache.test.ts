/** Node's compile cache in the desktop app's main (issue 17): on where Node has it, never inside an AppImage. */
import module from 'node:module';
import { describe, expect, it } from 'vitest';
import { enableCompileCache } from '../../main/shell/compile-cache';

describe('enableCompileCache', () => {
  it('is left off inside an AppImage, whose mount path changes every launch', () => {
    expect(enableCompileCache('/nonexistent-profile', { APPIMAGE: '/tmp/CertDesk.AppImage' })).toBe(false);
  });

  it('is on exactly where this Node has the API (Node 22.8+; Electron 45 ships Node 24), and a missing API is no error', () => {
    const has = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    if (has) return; // enabling it here would change how this test process loads its own modules
    expect(enableCompileCache('/nonexistent-profile', {})).toBe(false);
  });
});

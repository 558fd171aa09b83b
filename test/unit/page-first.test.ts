/** The launch order (issue 17): the backend loads once the page has its scripts, or after a short wait. */
import { describe, expect, it } from 'vitest';
import { whenPageServed } from '../../main/page-first';

const settled = async (p: Promise<void>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('whenPageServed', () => {
  it('waits for a script, not for the page or its stylesheet', async () => {
    const page = whenPageServed(10_000);
    page.served('/web.html');
    page.served('/assets/web-abc.css');
    expect(await settled(page.done, 50)).toBe(false);
    page.served('/assets/web-abc.js');
    expect(await settled(page.done, 50)).toBe(true);
  });

  it('waits until every request in flight is answered (Electron answers them asynchronously)', async () => {
    const page = whenPageServed(10_000);
    page.requested(); // the entry script
    page.requested(); // a preloaded chunk
    page.served('/assets/Box-abc.js');
    expect(await settled(page.done, 50)).toBe(false);
    page.served('/assets/index-abc.js');
    expect(await settled(page.done, 50)).toBe(true);
  });

  it('goes ahead on its own when no page asks (a script start, a test)', async () => {
    const started = Date.now();
    const page = whenPageServed(100);
    expect(await settled(page.done, 1000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});

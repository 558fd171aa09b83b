/** The window comes back where it was, on a display that exists; a bad file gives the defaults. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitToDisplays, readWindowState, WINDOW_STATE_FILE, writeWindowState } from '../../main/shell/window-state';

const DEFAULTS = { width: 1400, height: 900, maximized: false };
const MIN = { width: 1000, height: 640 };
const laptop = { x: 0, y: 0, width: 1920, height: 1050 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state', () => {
  it('writes and reads back size, position and maximized', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-window-'));
    writeWindowState(dir, { x: 40, y: 30, width: 1200, height: 800, maximized: true });
    expect(readWindowState(dir, DEFAULTS)).toEqual({ x: 40, y: 30, width: 1200, height: 800, maximized: true });
    expect(fs.readdirSync(dir)).toEqual([WINDOW_STATE_FILE]);
  });

  it('gives the defaults for a missing, half-written, hand-edited or hostile file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-window-'));
    expect(readWindowState(dir, DEFAULTS)).toEqual(DEFAULTS);
    for (const text of ['{"width": 1200, "hei', '{"width": "wide", "height": 800}', '{"width": 1e12, "height": 800}', '[]', 'null', '{"width": 50, "height": 50}']) {
      fs.writeFileSync(path.join(dir, WINDOW_STATE_FILE), text);
      expect(readWindowState(dir, DEFAULTS), text).toEqual(DEFAULTS);
    }
  });

  it('keeps a position on a display that is there, and pulls the window fully onto it', () => {
    expect(fitToDisplays({ x: 2000, y: 100, width: 1400, height: 900, maximized: false }, [laptop, rightMonitor], MIN)).toEqual({
      x: 2000,
      y: 100,
      width: 1400,
      height: 900,
      maximized: false,
    });
    // Hanging off the right edge of the laptop: moved back so all of it shows.
    expect(fitToDisplays({ x: 1700, y: 500, width: 1400, height: 900, maximized: false }, [laptop], MIN)).toEqual({
      x: 520,
      y: 150,
      width: 1400,
      height: 900,
      maximized: false,
    });
  });

  it('forgets a position on a monitor that is gone, and shrinks a window larger than the display', () => {
    expect(fitToDisplays({ x: 2000, y: 100, width: 2400, height: 1300, maximized: false }, [laptop], MIN)).toEqual({
      width: 1920,
      height: 1050,
      maximized: false,
    });
    // Title bar above the top of every display: placed by the system instead.
    expect(fitToDisplays({ x: 100, y: -500, width: 1200, height: 800, maximized: false }, [laptop], MIN)).toEqual({ width: 1200, height: 800, maximized: false });
  });
});

/**
 * The main window's size and position, kept in a small JSON file in userData.
 * Whatever is read is checked (a hand-edited or half-written file gives the
 * defaults) and fitted to a display that exists now (a monitor may be gone).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent: let the system place the window (centred). */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const coordinate = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(100).max(100_000);
const stateSchema = z.object({ x: coordinate.optional(), y: coordinate.optional(), width: size, height: size, maximized: z.boolean().default(false) });

export const WINDOW_STATE_FILE = 'window-state.json';

/** How much of the window must lie on a display to keep its position (enough to grab its title bar). */
const VISIBLE = { width: 120, height: 40 };

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** Fits `state` to the displays' work areas: no bigger than the display, placed only where its top shows. */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[], minimum: { width: number; height: number }): WindowState {
  const largest = workAreas.reduce<Rect | null>((big, a) => (!big || a.width * a.height > big.width * big.height ? a : big), null);
  if (!largest) return state;
  const at = state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y, width: state.width, height: VISIBLE.height } : null;
  const home = at ? workAreas.find((a) => {
    const o = overlap(at, a);
    return o.width >= Math.min(VISIBLE.width, state.width) && o.height >= VISIBLE.height;
  }) : undefined;
  const area = home ?? largest;
  const width = Math.max(minimum.width, Math.min(state.width, area.width));
  const height = Math.max(minimum.height, Math.min(state.height, area.height));
  if (!home || state.x === undefined || state.y === undefined) return { width, height, maximized: state.maximized };
  // Pull it inside the display it is on, so its whole title bar can be reached.
  const x = Math.min(Math.max(state.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(state.y, area.y), area.y + area.height - Math.min(height, area.height));
  return { x, y, width, height, maximized: state.maximized };
}

/** The stored state, or `defaults` when there is none or it is not valid. */
export function readWindowState(userData: string, defaults: WindowState): WindowState {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(fs.readFileSync(path.join(userData, WINDOW_STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data : defaults;
  } catch {
    return defaults;
  }
}

/** Written whole under a temporary name, then renamed: never half a file. */
export function writeWindowState(userData: string, state: WindowState): void {
  const file = path.join(userData, WINDOW_STATE_FILE);
  fs.mkdirSync(userData, { recursive: true });
  const temp = `${file}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(stateSchema.parse(state)));
  fs.renameSync(temp, file);
}

/**
 * How large a call's input may be, on its own (no zod, no services): the browser harness's server
 * reads it before the backend has loaded, so the page can be served while main is still starting.
 */

/** CSV files travel as text; they may be larger than other inputs (see LARGE_INPUTS). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** The file travels as base64 (bytes, decoded in main): 4 characters per 3 bytes. */
export const MAX_IMPORT_BASE64 = Math.ceil(MAX_IMPORT_BYTES / 3) * 4;

/** Largest input accepted, serialized; bigger inputs are refused before parsing. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** Calls that carry a whole file, and their own limit. */
const LARGE_INPUTS: Partial<Record<string, number>> = {
  'imports.preview': MAX_IMPORT_BASE64 + 1024 * 1024,
  'imports.previewJob': MAX_IMPORT_BASE64 + 1024 * 1024,
  'imports.apply': MAX_IMPORT_BASE64 + 1024 * 1024,
};

/** The largest input a call takes, serialized: the same for Electron IPC and the browser harness. */
export function inputLimit(name: string): number {
  return LARGE_INPUTS[name] ?? MAX_INPUT_BYTES;
}

/**
 * Browser stand-in for node:fs/promises in the dashboard bundle. The modules the page imports
 * (src/io/mappingFile.ts) only use it for reading/writing paths, which the page never does: it
 * parses bytes it was given. Calling it is a bug, so it says so.
 */
function unavailable(): never {
  throw new Error("file-system access is not available in the browser");
}
export const readFile = unavailable;
export const writeFile = unavailable;

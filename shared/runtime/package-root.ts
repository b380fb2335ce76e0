import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The project's root directory, the nearest one above this module holding a package.json. Files that are not modules
 * (the relay's web page) are read from there, the same copy whether the TypeScript sources run (tests) or the build
 * does (dist/, where the bundler moves modules into shared chunks, so a path relative to a module would not hold).
 */

/**
 * The nearest directory at or above `from`'s directory that holds a package.json.
 *
 * @example
 * const webDir = path.join(packageRoot(), 'functions/sse-relay/web');
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json in any directory above ${from}`);
  }
}

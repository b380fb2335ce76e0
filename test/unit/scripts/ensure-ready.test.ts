import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { STAMP } from '../../../scripts/build.mjs';
import { plan } from '../../../scripts/ensure-ready.mjs';

/*
 * What `npm start` and `npm test` do first in a checkout (scripts/ensure-ready.mjs): install when node_modules is
 * missing or older than the lock file, build when a source is newer than the build, and neither in an image. The
 * project here is a temporary directory whose files get chosen modification times.
 */

const T0 = new Date('2026-01-01T00:00:00Z').getTime() / 1000;
let root: string;

/** Writes `file` (relative to the project) with its modification time `at` seconds after T0. */
function put(file: string, at: number): void {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, '');
  utimesSync(full, T0 + at, T0 + at);
}

/** Sets a directory's modification time, as adding, deleting or renaming one of its files does. */
function touchDir(dir: string, at: number): void {
  utimesSync(path.join(root, dir), T0 + at, T0 + at);
}

const SOURCES = [
  'functions/index.ts',
  'functions/chat/index.ts',
  'shared/runtime/run.ts',
  'local/stack/main.ts',
  'cli/main.ts'
];

/** A checkout installed at 10 and built at 20 from sources last changed at 1. */
function upToDate(): void {
  for (const f of [...SOURCES, 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs']) put(f, 1);
  for (const d of ['functions', 'functions/chat', 'shared', 'shared/runtime', 'local', 'local/stack', 'cli', 'scripts'])
    touchDir(d, 1);
  put('node_modules/.package-lock.json', 10);
  put(`dist/${STAMP}`, 20);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cortex-ensure-'));
  return () => rmSync(root, { recursive: true, force: true });
});

describe('ensure-ready: what runs before npm start and npm test', () => {
  it('does nothing when the dependencies and the build are up to date', () => {
    // Prepare
    upToDate();
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo).toEqual({ image: false, install: false, build: false, reasons: [] });
  });

  it('installs and builds in a fresh clone', () => {
    // Prepare
    upToDate();
    rmSync(path.join(root, 'node_modules'), { recursive: true });
    rmSync(path.join(root, 'dist'), { recursive: true });
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo).toMatchObject({ install: true, build: true });
    expect(todo.reasons).toEqual(['node_modules is missing', 'there is no build (dist/)']);
  });

  it('installs when package-lock.json is newer than node_modules (a pull changed the dependencies)', () => {
    // Prepare
    upToDate();
    put('package-lock.json', 15);
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo.install).toBe(true);
    expect(todo.reasons[0]).toBe('node_modules is older than package-lock.json');
  });

  it('builds when a source is newer than the build, and names it', () => {
    // Prepare
    upToDate();
    put('functions/chat/index.ts', 30);
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo).toMatchObject({ install: false, build: true });
    expect(todo.reasons).toEqual([`${path.join('functions', 'chat', 'index.ts')} is newer than the build (dist/)`]);
  });

  it('builds when a source was deleted or renamed since the build (its directory changed)', () => {
    // Prepare
    upToDate();
    touchDir('shared/runtime', 30);
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo.build).toBe(true);
    expect(todo.reasons[0]).toMatch(/^shared.runtime is newer/);
  });

  it('builds when the installed packages changed since the build (they are bundled into it)', () => {
    // Prepare
    upToDate();
    put('node_modules/.package-lock.json', 30);
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo).toMatchObject({ install: false, build: true });
  });

  it('ignores files that are not TypeScript sources (the relay page is read from the sources, not built)', () => {
    // Prepare
    upToDate();
    put('functions/chat/README.md', 30);
    touchDir('functions/chat', 1);
    // Act
    const todo = plan(root, {});
    // Assess
    expect(todo.build).toBe(false);
  });

  it.each([
    [{ CORTEX_FUNCTION: 'error-intake' }, true],
    [{ NODE_ENV: 'production' }, true],
    [{ CORTEX_FUNCTION: '' }, false],
    [{ NODE_ENV: 'development' }, false]
  ])('says the environment %o is an image: %s', (env, image) => {
    // Prepare
    upToDate();
    // Act
    const todo = plan(root, env);
    // Assess
    expect(todo.image).toBe(image);
  });
});

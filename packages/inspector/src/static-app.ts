/**
 * The prebuilt page (`dist/app/`, built by `scripts/build-app.mjs`), read into memory once:
 * nothing is fetched from a CDN, and only the files the build wrote can ever be served.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppNotBuilt } from './errors.js';

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** `dist/app/` of this package, from `src/` (tests, tsx) and from `dist/` alike. */
export const APP_DIR = fileURLToPath(new URL('../dist/app/', import.meta.url));

let cache: ReadonlyMap<string, StaticFile> | undefined;

/** The page's files by name. @throws INSPECTOR_ERR_APP_NOT_BUILT */
export function loadApp(dir: string = APP_DIR): ReadonlyMap<string, StaticFile> {
  if (dir === APP_DIR && cache) return cache;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new AppNotBuilt(dir);
  }
  if (!names.includes('index.html') || !names.includes('app.js')) throw new AppNotBuilt(dir);
  const files = new Map<string, StaticFile>();
  for (const name of names) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = TYPES[ext];
    if (type) files.set(name, { body: readFileSync(`${dir}${name}`), type });
  }
  if (dir === APP_DIR) cache = files;
  return files;
}

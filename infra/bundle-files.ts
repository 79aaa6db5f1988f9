/**
 * Writes bundles to disk (code + map side by side, as Lambda unpacks the archive), for tools that
 * load them outside Lambda: the bundle tests and the benchmark. Deploys never touch the disk.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionBundle } from './bundle.ts';

/** Writes `<dir>/<name>/index.mjs` (+ map) and returns the code's path. */
export async function writeBundle(dir: string, bundle: FunctionBundle): Promise<string> {
  const target = join(dir, bundle.name);
  await mkdir(target, { recursive: true });
  const file = join(target, bundle.fileName);
  await writeFile(file, bundle.code);
  await writeFile(`${file}.map`, bundle.sourceMap);
  return file;
}

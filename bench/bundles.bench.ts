/**
 * npm run bench:bundles — builds every Lambda bundle exactly as a deploy does (infra/bundle.ts),
 * then, for each handler, imports the bundle in fresh Node processes and compares with importing
 * the same handler unbundled through tsx. Prints sizes, median cold-import times and their ratio;
 * the last line is `max bundle KB: X`. Targets: <= 250 KB minified, cold import <= 100 ms.
 *
 * The AWS SDK is not in the bundles (Lambda's nodejs24.x runtime provides it), so here it is
 * loaded from node_modules, as the runtime loads its own copy: the import times include it.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { bundleHandler, projectRoot } from '../infra/bundle.ts';
import { writeBundle } from '../infra/bundle-files.ts';
import { FunctionNames, handlerEntry } from '../system/functions.ts';

const run = promisify(execFile);
const node = `${projectRoot}node_modules/.bin/node`;
const outDir = `${projectRoot}.bench-data/bundles-${process.pid}`;
const Samples = Number(process.env.BENCH_SAMPLES ?? 7);
const TargetKb = 250;
const TargetImportMs = 100;

/** Milliseconds to import `urls` in a fresh node, measured inside the child from just before the first import. */
async function importMs(urls: string[], nodeArgs: string[] = [], expectHandler = true): Promise<number> {
  const script = `const t = performance.now();
    for (const u of ${JSON.stringify(urls)}) { const m = await import(u);
      if (${expectHandler} && typeof m.handler !== 'function') throw new Error('no handler export'); }
    process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(node, [...nodeArgs, '--input-type=module', '-e', script], { cwd: projectRoot });
  return Number(stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Probe {
  urls: string[];
  nodeArgs: string[];
  expectHandler: boolean;
}

/** Median import time of each probe; the probes take turns so they share the machine's load. */
async function interleavedMedians(probes: Probe[]): Promise<number[]> {
  const times: number[][] = probes.map(() => []);
  for (let i = 0; i < Samples; i++)
    for (const [k, p] of probes.entries()) times[k]!.push(await importMs(p.urls, p.nodeArgs, p.expectHandler));
  return times.map(median);
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

await rm(outDir, { recursive: true, force: true });
console.log(`bundles: ${FunctionNames.length} handlers, ${Samples} fresh processes per import (median)`);
console.log(`machine load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
console.log(`${'handler'.padEnd(26)}${pad('KB', 8)}${pad('gzip KB', 9)}${pad('build ms', 10)}${pad('bundled ms', 12)}${pad('sdk ms', 8)}${pad('own ms', 8)}${pad('tsx ms', 9)}${pad('ratio', 8)}`);

const sdkImports: string[] = [];
let maxKb = 0;
let maxImport = 0;
let maxOwn = 0;
for (const name of FunctionNames) {
  const t = performance.now();
  const bundle = await bundleHandler(name);
  const buildMs = performance.now() - t;
  const file = await writeBundle(outDir, bundle);
  const kb = Buffer.byteLength(bundle.code) / 1024;
  const gzKb = gzipSync(bundle.code).length / 1024;
  // The runtime-provided SDK modules this bundle imports, on their own: the part no bundling can shrink.
  const sdkModules = [...new Set([...bundle.code.matchAll(/\b(?:from|import)\s*"(@aws-sdk\/[^"]+)"/g)].map((m) => m[1]!))];
  sdkImports.push(`  ${name}: ${sdkModules.map((m) => m.replace('@aws-sdk/', '')).join(', ') || 'none'}`);
  const [bundled, sdk, unbundled] = (await interleavedMedians([
    { urls: [pathToFileURL(file).href], nodeArgs: [], expectHandler: true },
    { urls: sdkModules, nodeArgs: [], expectHandler: false },
    { urls: [pathToFileURL(`${projectRoot}${handlerEntry(name)}`).href], nodeArgs: ['--import=tsx'], expectHandler: true },
  ])) as [number, number, number];
  const own = Math.max(0, bundled - sdk);
  maxKb = Math.max(maxKb, kb);
  maxImport = Math.max(maxImport, bundled);
  maxOwn = Math.max(maxOwn, own);
  console.log(
    `${name.padEnd(26)}${pad(kb.toFixed(1), 8)}${pad(gzKb.toFixed(1), 9)}${pad(buildMs.toFixed(0), 10)}${pad(bundled.toFixed(1), 12)}${pad(sdk.toFixed(1), 8)}${pad(own.toFixed(1), 8)}${pad(unbundled.toFixed(1), 9)}${pad((unbundled / bundled).toFixed(2), 8)}`,
  );
}
console.log('sdk ms = importing only the @aws-sdk modules the bundle uses; own ms = bundled - sdk');
console.log(`@aws-sdk packages each bundle imports (each is loaded on every cold start):\n${sdkImports.join('\n')}`);
console.log('ratio = unbundled (tsx) import time / bundled import time; higher means the bundle loads faster');
console.log(`size target <= ${TargetKb} KB: ${maxKb <= TargetKb ? 'met' : 'MISSED'} (max ${maxKb.toFixed(1)} KB)`);
console.log(`cold import target <= ${TargetImportMs} ms: worst median ${maxImport.toFixed(1)} ms with the SDK (${maxImport <= TargetImportMs ? 'met' : 'MISSED'}), ${maxOwn.toFixed(1)} ms for the bundle's own code (${maxOwn <= TargetImportMs ? 'met' : 'MISSED'})`);
await rm(outDir, { recursive: true, force: true });
console.log(`max bundle KB: ${maxKb.toFixed(1)}`);

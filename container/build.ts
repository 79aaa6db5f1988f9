/**
 * Bundles the worker into two self-contained ES modules (main.mjs, healthcheck.mjs) with esbuild:
 * the image then needs no node_modules at all, only what the code imports. Used by the Dockerfile
 * (`node container/build.ts dist`, Node 24 runs TypeScript by stripping types) and by the tests.
 * Written in erasable TypeScript only, so plain node can run it.
 */
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function bundleWorker(outdir: string): Promise<{ main: string; healthcheck: string }> {
  await build({
    entryPoints: { main: join(here, 'src/main.ts'), healthcheck: join(here, 'src/healthcheck.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    // No source maps: --enable-source-maps costs ~20 MiB of resident memory, and the logs carry error names and messages, not stacks.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return { main: join(outdir, 'main.mjs'), healthcheck: join(outdir, 'healthcheck.mjs') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? 'dist/container');
  const out = await bundleWorker(outdir);
  console.log(`bundled ${out.main} and ${out.healthcheck}`);
}

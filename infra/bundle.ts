/**
 * Bundles a Lambda handler with esbuild at deploy time: one minified ESM file per function plus
 * its source map, tree-shaken from runtime/handlers/<name>.ts. The bundler is a plain function
 * so components take it as an argument (tests and benchmarks call the same one).
 */
import { build, type Plugin } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerEntry, type FunctionName } from '../system/functions.ts';

export interface FunctionBundle {
  name: FunctionName;
  /** File name inside the deployment archive; the Lambda handler is `<file without .mjs>.handler`. */
  fileName: string;
  code: string;
  sourceMap: string;
}

export type Bundler = (name: FunctionName) => Promise<FunctionBundle>;

/** Lambda's handler setting for a bundle: `index.handler` for `index.mjs`. */
export const BundleFileName = 'index.mjs';
export const BundleHandler = 'index.handler';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** A handler that cannot be bundled: names the function and the esbuild messages. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}

/**
 * The nodejs24.x runtime ships AWS SDK v3, so the bundles leave it out: that keeps them far
 * under the 250 KB budget and lets Lambda load the SDK from its own (already warm) layer.
 */
export const RuntimeProvidedModules = ['@aws-sdk/*'];

/**
 * zod's namespace object (`z`) defeats tree shaking, so every bundle would carry all of zod.
 * Two parts the handlers never use are swapped out, keeping each bundle inside its 250 KB budget:
 * - the locales (~260 KB): only English, the default, is kept (`z.locales.en` still works);
 * - `z.fromJSONSchema` (~12 KB), a converter that fails loudly if called from a bundle.
 */
export const trimZod: Plugin = {
  name: 'trim-zod',
  setup(b) {
    const zodDir = /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/;
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      zodDir.test(args.importer) ? { path: join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-trimmed' } : undefined,
    );
    b.onResolve({ filter: /^\.\/from-json-schema\.js$/ }, (args) =>
      zodDir.test(args.importer) ? { path: join(args.resolveDir, 'from-json-schema.js'), namespace: 'zod-trimmed' } : undefined,
    );
    b.onLoad({ filter: /locales[\\/]index\.js$/, namespace: 'zod-trimmed' }, (args) => ({
      contents: `export { default as en } from './en.js';`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
    b.onLoad({ filter: /from-json-schema\.js$/, namespace: 'zod-trimmed' }, () => ({
      contents: `export function fromJSONSchema() { throw new Error('z.fromJSONSchema is left out of the Lambda bundles (infra/bundle.ts)'); }`,
      loader: 'js',
    }));
  },
};

/** esbuild options shared by the deploy and the benchmark, so what is measured is what ships. */
export function bundleOptions(name: FunctionName, root = projectRoot) {
  return {
    entryPoints: [`${root}${handlerEntry(name)}`],
    absWorkingDir: root,
    bundle: true,
    minify: true,
    treeShaking: true,
    // Linked: the bundle names its map, so --enable-source-maps finds it next to index.mjs.
    sourcemap: 'linked' as const,
    platform: 'node' as const,
    target: 'node24',
    format: 'esm' as const,
    // ESM output: CommonJS dependencies that call require() get one through createRequire.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    mainFields: ['module', 'main'],
    // Never written here (write: false); placed at the root so the map's sources read
    // `runtime/handlers/<name>.ts` and stack traces name the project's own files.
    outfile: `${root}${BundleFileName}`,
    external: RuntimeProvidedModules,
    plugins: [trimZod],
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
  };
}

export async function bundleHandler(name: FunctionName, root = projectRoot): Promise<FunctionBundle> {
  let result;
  try {
    result = await build({ ...bundleOptions(name, root), write: false });
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const detail = errors.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n');
    throw new BundleError(`Cannot bundle the '${name}' Lambda from ${handlerEntry(name)}:\n${detail || (err as Error).message}`);
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.mjs.map'));
  if (!code || !map) throw new BundleError(`esbuild produced no output for the '${name}' Lambda`);
  return { name, fileName: BundleFileName, code: code.text, sourceMap: map.text };
}

/** The deploy-time bundler: each handler is built once per process, however many stacks ask. */
export function cachedBundler(bundle: Bundler = bundleHandler): Bundler {
  const cache = new Map<FunctionName, Promise<FunctionBundle>>();
  return (name) => {
    let pending = cache.get(name);
    if (!pending) {
      pending = bundle(name);
      cache.set(name, pending);
      // A failure is not cached: the next caller retries (after the file is fixed, in watch-style tools).
      pending.catch(() => cache.delete(name));
    }
    return pending;
  };
}

/** The bundler the Pulumi program uses; shared so several program runs in one process bundle once. */
export const deployBundler: Bundler = cachedBundler();

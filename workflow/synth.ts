/**
 * `npm run synth`: writes dist/reconciliation.asl.json for a stack's config (default dev) with
 * placeholder ARNs, so the definition can be read, diffed and validated without deploying.
 * Usage: tsx workflow/synth.ts [stack] [outFile]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReconciliationAsl } from './reconciliation.ts';
import { readStackWorkflowConfig } from './stack-config.ts';
import { synthResources } from './synth-resources.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const stack = process.argv[2] ?? 'dev';
const out = resolve(root, process.argv[3] ?? 'dist/reconciliation.asl.json');

const asl = renderReconciliationAsl(readStackWorkflowConfig(stack), synthResources(stack));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, asl);
console.log(`Wrote ${out} (${stack} stack, ${Object.keys(JSON.parse(asl).States).length} top-level states)`);

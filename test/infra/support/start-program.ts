/**
 * Starts the Pulumi program the way the nodejs language host does for a `"type": "module"`
 * package — a dynamic import() of Pulumi.yaml's `main` in a node started with its `nodeargs` —
 * with the mocks standing in for the engine's gRPC monitor. Config arrives in PULUMI_CONFIG and
 * PULUMI_CONFIG_SECRET_KEYS, as the engine passes it.
 *
 *   node <nodeargs> test/infra/support/start-program.ts <stack> <main>
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installMocks, settle } from './pulumi-mocks.ts';

const [stack, main] = process.argv.slice(2);
if (!stack || !main) throw new Error('usage: start-program.ts <stack> <main>');
const run = await installMocks(stack);
const program = (await import(pathToFileURL(resolve(main)).href)) as Record<string, unknown>;
const outputs = await settle(program);
process.stdout.write(`${JSON.stringify({ node: process.version, registered: run.resources.length, outputs })}\n`);
// The AWS provider SDK keeps timers alive for a few seconds after the run; the engine would end us here too.
process.exit(0);

/**
 * `npm run ocp-sim -- [--port 4010] [--seed 7] [--token T] [--scenario file.json] [--quiet]`
 * Runs the simulated OCP export API on 127.0.0.1 and prints one JSON line per request.
 * A scenario file holds `{ "scenario": {...}, "byCallIdPrefix": {...}, "byCallId": {...} }`
 * (see local/ocp-sim/scenario.ts for the fields).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { assertPortFree } from '../services/ports.ts';
import { DefaultOcpToken, startOcpSimulator } from './simulator.ts';
import { ScenarioPatch } from './scenario.ts';

const ScenarioFile = z
  .object({
    scenario: ScenarioPatch.optional(),
    byCallIdPrefix: z.record(z.string(), ScenarioPatch).optional(),
    byCallId: z.record(z.string(), ScenarioPatch).optional(),
    rateLimit: z.object({ requestsPerSecond: z.number().positive(), burst: z.number().positive().optional() }).optional(),
  })
  .strict();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      seed: { type: 'string', default: '1' },
      token: { type: 'string', default: process.env.OCP_SIM_TOKEN ?? DefaultOcpToken },
      scenario: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a TCP port number.`);
  if (port !== 0) await assertPortFree(port, 'the OCP simulator');

  let file: z.infer<typeof ScenarioFile> = {};
  if (values.scenario) {
    const parsed = ScenarioFile.safeParse(JSON.parse(await readFile(values.scenario, 'utf8')));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`Scenario file ${values.scenario} is invalid: ${problems}`);
    }
    file = parsed.data;
  }

  const sim = await startOcpSimulator({
    port,
    seed: values.seed,
    token: values.token,
    ...file,
    ...(values.quiet ? {} : { onRequest: (entry) => console.log(JSON.stringify({ type: 'request', ...entry })) }),
  });
  // The token is printed only when it is the well-known default; a real one stays out of the output.
  const shownToken = values.token === DefaultOcpToken ? values.token : '(from --token / OCP_SIM_TOKEN)';
  console.log(JSON.stringify({ type: 'listening', baseUrl: sim.baseUrl, token: shownToken, seed: values.seed }));

  const shutdown = async (signal: string) => {
    console.log(JSON.stringify({ type: 'stopping', signal, stats: sim.stats() }));
    await sim.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

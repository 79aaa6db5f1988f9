/** The container's HEALTHCHECK command: exit 0 when the worker's health file is fresh, 1 otherwise. */
import { Env } from '../../system/functions.ts';
import { checkHealth } from './health.ts';

const problem = checkHealth(process.env[Env.workerHealthFile] ?? '/tmp/worker-health.json');
if (problem) {
  console.error(problem);
  process.exit(1);
}

/**
 * Runs the local Step Functions engine behind its HTTP API:
 *
 *   npx tsx local/sfn-api/cli.ts [--port 8083] [--data-dir .local-data/sfn] [--speed 1]
 *     [--dynamodb-endpoint http://127.0.0.1:8000] [--sqs-endpoint http://127.0.0.1:9324]
 *     [--secret name=value ...] [--region us-east-1] [--account-id 000000000000]
 *
 * Executions are checkpointed in --data-dir, so a process that is killed resumes its running
 * executions when started again on the same folder. Logs are JSON lines on stdout; the first
 * `listening` line carries the endpoint.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { Engine, RealClock, type TaskResolver } from '../engine/index.ts';
import { dynamoDbResolver } from '../integrations/dynamodb.ts';
import { lambdaResolver } from '../integrations/lambda.ts';
import { projectLambdaFunctions } from '../integrations/project-functions.ts';
import { sqsResolver } from '../integrations/sqs.ts';
import type { RunningService } from './aws-json.ts';
import { jsonLinesLog } from './json-log.ts';
import { startSecretsManager } from './secrets-manager.ts';
import { startStepFunctionsApi } from './server.ts';

const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  'data-dir': z.string().min(1).default('.local-data/sfn'),
  speed: z.coerce.number().positive().default(1),
  region: z.string().min(1).default('us-east-1'),
  'account-id': z.string().regex(/^\d{12}$/, 'must be 12 digits').default('000000000000'),
  'dynamodb-endpoint': z.url().optional(),
  'sqs-endpoint': z.url().optional(),
  secret: z
    .array(z.string().regex(/^[^=]+=.*$/s, 'must look like name=value'))
    .default([]),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      speed: { type: 'string' },
      region: { type: 'string' },
      'account-id': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      secret: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const parsed = Flags.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`Invalid options:\n  ${problems}`);
  }
  const flags = parsed.data;
  const log = jsonLinesLog('local-sfn');

  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  const resolvers: TaskResolver[] = [
    lambdaResolver({
      functions: projectLambdaFunctions(),
      region: flags.region,
      accountId: flags['account-id'],
      onAsyncError: (fn, err) => log({ level: 'error', message: 'asynchronous Lambda invocation failed', function: fn, error: String(err) }),
    }),
  ];
  if (flags['dynamodb-endpoint']) {
    resolvers.push(dynamoDbResolver({ client: new DynamoDBClient({ region: flags.region, credentials, endpoint: flags['dynamodb-endpoint'] }) }));
  }
  if (flags['sqs-endpoint']) {
    resolvers.push(sqsResolver({ client: new SQSClient({ region: flags.region, credentials, endpoint: flags['sqs-endpoint'] }) }));
  }

  const dataDir = resolve(flags['data-dir']);
  mkdirSync(dataDir, { recursive: true });
  const engine = new Engine({
    clock: new RealClock(flags.speed),
    resolvers,
    region: flags.region,
    accountId: flags['account-id'],
    dataDir,
  });

  // Registered before the first await, so a signal during start-up still closes whatever has started.
  const services: RunningService[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', message: 'shutting down', signal });
    await Promise.all(services.map((s) => s.stop()));
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  const api = await startStepFunctionsApi({ engine, ...(flags.port ? { port: flags.port } : {}), log });
  services.push(api);
  log({ level: 'info', message: 'listening', endpoint: api.endpoint, dataDir, speed: flags.speed });

  if (flags.secret.length > 0) {
    const secrets = Object.fromEntries(flags.secret.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
    const sm = await startSecretsManager({ secrets, region: flags.region, accountId: flags['account-id'], log });
    services.push(sm);
    log({ level: 'info', message: 'secrets manager listening', endpoint: sm.endpoint, secrets: Object.keys(secrets) });
  }

  const resumed = await engine.resume();
  log({ level: 'info', message: 'resumed executions', count: resumed });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level: 'error', service: 'local-sfn', message: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
});

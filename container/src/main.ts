/**
 * Entry point of the download worker container. Reads its config from the environment, builds the
 * SDK clients (endpoints from the standard AWS_ENDPOINT_URL_* variables, so the same program runs
 * against the local servers), and runs until SIGTERM: then it stops polling, gives work in flight
 * the stop timeout to finish, releases what is left to the queue, and exits 0.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Env } from '../../system/functions.ts';
import { readWorkerConfig } from './config.ts';
import { HEALTH_INTERVAL_MS, writeHealth } from './health.ts';
import { createLogger } from './log.ts';
import { createWorker } from './worker.ts';

async function main(): Promise<void> {
  const config = readWorkerConfig();
  const log = createLogger({ level: config.logLevel, service: process.env[Env.serviceName] || 'download-worker' });
  // Checksums only when S3 requires them: the worker verifies the ZIP CRC and computes the sha256 itself.
  const s3 = new S3Client({ forcePathStyle: config.s3ForcePathStyle, requestChecksumCalculation: 'WHEN_REQUIRED' });
  // The queue URL's host is the endpoint on AWS; locally AWS_ENDPOINT_URL_SQS is, so the configured endpoint wins.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const worker = createWorker(config, { s3, sqs, sfn: new SFNClient({}) }, log);

  const report = () => {
    try {
      const { state, inFlight } = worker.status();
      writeHealth(config.healthFile, { state, inFlight });
    } catch (err) {
      log.warn('could not write the health file', { error: err });
    }
  };
  const healthTimer = setInterval(report, HEALTH_INTERVAL_MS);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutdown requested', { signal });
    void worker.stop().then(() => {
      clearInterval(healthTimer);
      report();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await worker.start();
  report();
}

main().catch((err: unknown) => {
  createLogger().error('the download worker could not start', { error: err });
  process.exit(1);
});

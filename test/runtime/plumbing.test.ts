import { expect } from 'chai';
import type { SQSRecord } from 'aws-lambda';
import { endpointFromEnv } from '../../runtime/aws/clients.ts';
import { readEnv, EnvironmentError } from '../../runtime/env.ts';
import { lazyHandler } from '../../runtime/lambda/lazy-handler.ts';
import { processPartialBatch } from '../../runtime/lambda/partial-batch.ts';
import { parseInput } from '../../runtime/lambda/parse-input.ts';
import { createLogger } from '../../runtime/logging/logger.ts';
import { REDACTED, redactSecrets } from '../../runtime/logging/redact.ts';
import { CreateExportJobInput } from '../../runtime/contracts.ts';
import { InvalidInputError } from '../../runtime/errors.ts';
import { sqsRecord } from './sqs-records.ts';

describe('runtime plumbing', () => {
  describe('log redaction', () => {
    it('blanks task tokens, bearer tokens and secrets at any depth and keeps the ids', () => {
      const line = JSON.stringify(
        {
          dialogGroupId: 'DG-1',
          taskToken: 'tt',
          request: { headers: { Authorization: 'Bearer x' }, ocpToken: 'o', nested: [{ clientSecret: 's', apiKey: 'k' }] },
          tokenCount: 0,
        },
        redactSecrets,
      );
      expect(line).not.to.match(/"tt"|Bearer x|"o"|"s"|"k"/);
      expect(JSON.parse(line)).to.deep.include({ dialogGroupId: 'DG-1', taskToken: REDACTED });
    });

    it('is what the Powertools logger writes through', () => {
      const written: string[] = [];
      const original = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }) as typeof process.stdout.write;
      try {
        createLogger({ logLevel: 'INFO', serviceName: 'redaction-test' }).info('hand-off', { taskToken: 'AQC-secret', callId: 'C-1' });
      } finally {
        process.stdout.write = original;
      }
      const out = written.join('');
      expect(out).not.to.contain('AQC-secret');
      expect(JSON.parse(out.trim())).to.include({ level: 'INFO', message: 'hand-off', service: 'redaction-test', callId: 'C-1', taskToken: REDACTED });
    });
  });

  describe('input parsing', () => {
    it('throws InvalidInputError listing every bad field by path', () => {
      let err: unknown;
      try {
        parseInput(CreateExportJobInput, { dialogGroupId: 7, waitPolicy: { kind: 'fixed' } }, 'createExportJob input');
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(InvalidInputError);
      const e = err as InvalidInputError;
      expect(e.message).to.match(/^createExportJob input is invalid \(\d+ fields\)/);
      for (const path of ['dialogGroupId', 'callId', 'executionId', 'waitPolicy.fixedSeconds', 'waitPolicy.minSeconds']) expect(e.message).to.contain(path);
      expect(e.details.issues).to.be.an('array');
    });
  });

  describe('environment', () => {
    it('reads typed values and names every missing or malformed variable at once', () => {
      expect(readEnv(['tableName', 'recordTtlDays'], { TABLE_NAME: 't', RECORD_TTL_DAYS: '30' })).to.deep.equal({ tableName: 't', recordTtlDays: 30 });
      expect(() => readEnv(['tableName', 'workerQueueUrl', 'recordTtlDays'], { WORKER_QUEUE_URL: 'nope', RECORD_TTL_DAYS: '-1' }))
        .to.throw(EnvironmentError)
        .with.property('message')
        .that.contains('TABLE_NAME is not set')
        .and.contains('WORKER_QUEUE_URL="nope"')
        .and.contains('RECORD_TTL_DAYS="-1"');
    });

    it('resolves endpoints as the SDK does: service variable, then the catch-all', () => {
      expect(endpointFromEnv('SQS', { AWS_ENDPOINT_URL_SQS: 'http://a', AWS_ENDPOINT_URL: 'http://b' })).to.equal('http://a');
      expect(endpointFromEnv('SFN', { AWS_ENDPOINT_URL: 'http://b' })).to.equal('http://b');
      expect(endpointFromEnv('DYNAMODB', {})).to.equal(undefined);
    });
  });

  describe('lazy handler', () => {
    it('builds once on first call, and builds again after a failed build', async () => {
      let builds = 0;
      const h = lazyHandler(() => {
        builds++;
        if (builds === 1) throw new Error('TABLE_NAME is not set');
        return async (event: number, _context: unknown) => event * 2;
      });
      expect(builds).to.equal(0);
      expect(() => h(1, {})).to.throw('TABLE_NAME');
      expect(await h(2, {})).to.equal(4);
      expect(await h(3, {})).to.equal(6);
      expect(builds).to.equal(2);
    });
  });

  describe('partial batch', () => {
    const logger = createLogger({ logLevel: 'SILENT' });

    it('reports exactly the records that threw, in batch order, and handles the rest', async () => {
      const records = Array.from({ length: 9 }, (_, i) => sqsRecord(String(i), `m${i}`));
      const handled: string[] = [];
      const res = await processPartialBatch(
        records,
        async (r: SQSRecord) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (Number(r.body) % 3 === 0) throw new Error(`boom ${r.body}`);
          handled.push(r.body);
        },
        { logger, concurrency: 4 },
      );
      expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm3' }, { itemIdentifier: 'm6' }]);
      expect(handled.sort()).to.deep.equal(['1', '2', '4', '5', '7', '8']);
    });

    it('never runs more records at once than its concurrency', async () => {
      let running = 0;
      let peak = 0;
      await processPartialBatch(
        Array.from({ length: 20 }, (_, i) => sqsRecord(String(i))),
        async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        },
        { logger, concurrency: 3 },
      );
      expect(peak).to.equal(3);
    });
  });
});

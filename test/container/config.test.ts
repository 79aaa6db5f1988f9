import { expect } from 'chai';
import { readWorkerConfig } from '../../container/src/config.ts';
import { Env } from '../../system/functions.ts';

const base = {
  [Env.workerQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/rec-worker',
  [Env.bucketName]: 'rec-recordings',
  [Env.allowedDownloadHosts]: 'ocp.example.com, https://exports.ocp.example.com:8443',
};

describe('container: configuration from the environment', () => {
  it('reads the settings with their defaults', () => {
    const c = readWorkerConfig({ ...base, [Env.s3ForcePathStyle]: 'true', [Env.workerConcurrency]: '3', [Env.logLevel]: 'DEBUG' });
    expect(c.allowedOrigins).to.deep.equal([
      { protocol: 'https:', hostname: 'ocp.example.com', port: 443 },
      { protocol: 'https:', hostname: 'exports.ocp.example.com', port: 8443 },
    ]);
    expect(c).to.include({ concurrency: 3, s3ForcePathStyle: true, privateAddresses: 'loopback-hosts', heartbeatSeconds: 600, logLevel: 'debug' });
  });

  it('names every variable that is wrong', () => {
    expect(() =>
      readWorkerConfig({ ...base, [Env.allowedDownloadHosts]: 'ftp://x', [Env.workerConcurrency]: 'many', [Env.downloadPrivateAddresses]: 'sometimes' }),
    ).to.throw(/ALLOWED_DOWNLOAD_HOSTS[\s\S]*(WORKER_CONCURRENCY|DOWNLOAD_PRIVATE_ADDRESSES)/);
  });
});

import type { ProvisionedQueue } from '../services/provision.ts';

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/...`. SDK clients whose endpoint comes
 * from AWS_ENDPOINT_URL_SQS send to the queue URL's host, which not every resolver maps to
 * loopback, so every process gets queue URLs on 127.0.0.1 (fauxqs routes by path).
 */
export function onLoopback(queues: Record<'input' | 'worker' | 'failure', ProvisionedQueue>, endpoint: string): Record<'input' | 'worker' | 'failure', ProvisionedQueue> {
  const fix = (url: string): string => {
    const u = new URL(url);
    const e = new URL(endpoint);
    u.protocol = e.protocol;
    u.host = e.host;
    return u.toString();
  };
  const one = (q: ProvisionedQueue): ProvisionedQueue => ({ ...q, url: fix(q.url), ...(q.deadLetter ? { deadLetter: { ...q.deadLetter, url: fix(q.deadLetter.url) } } : {}) });
  return { input: one(queues.input), worker: one(queues.worker), failure: one(queues.failure) };
}


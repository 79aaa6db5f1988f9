import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { startLocalSystem } from '../../local/mode/local-system.ts';
import { assertJavaAvailable, workerHeartbeatSeconds } from '../../local/mode/preflight.ts';
import { readStackWorkflowConfig } from '../../workflow/stack-config.ts';

describe('local mode start-up errors a person can act on', () => {
  it('names the port and the service when a requested port is taken, before starting anything', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as { port: number }).port;
    try {
      let error: Error | undefined;
      await startLocalSystem({ speed: 100, workflow: readStackWorkflowConfig('dev'), seed: 1, ports: { ocp: port } }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal(`Port ${port} for the OCP simulator is already in use on 127.0.0.1; stop whatever holds it or choose another port.`);
    } finally {
      holder.close();
    }
  });

  it('says how to install Java when it is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => assertJavaAvailable()).to.throw(/DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH\. Install a JRE/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses a clock speed at which the worker cannot heartbeat in time, naming the highest that works', () => {
    expect(workerHeartbeatSeconds(600, 200)).to.equal(3);
    expect(() => workerHeartbeatSeconds(600, 300)).to.throw(/lower --speed to at most 200/);
  });
});

describe('default clock speed', () => {
  it('is 200 for a small batch on the dev stack, and slows down as the download backlog grows', async () => {
    const { defaultSpeed } = await import('../../local/mode/clock-speed.ts');
    expect(defaultSpeed(600, 3)).to.equal(200);
    expect(defaultSpeed(600, 60)).to.equal(200);
    expect(defaultSpeed(600, 300)).to.equal(40);
    expect(defaultSpeed(600, 1000)).to.equal(12);
    // prod's 300 s heartbeat caps it at 100 whatever the batch.
    expect(defaultSpeed(300, 3)).to.equal(100);
    expect(defaultSpeed(5, 100_000)).to.equal(1);
  });
});

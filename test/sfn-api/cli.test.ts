import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { localAws } from '../support/services.ts';
import { kill, started, startCli } from './cli-process.ts';

describe('local/sfn-api/cli.ts', function () {
  this.timeout(30_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'h3-sfn-cli-'));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map(kill));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs JSON lines, keeps state machines in the data folder across restarts and exits 0 on SIGTERM', async () => {
    const first = await startCli(dataDir);
    expect(first.logs[0]).to.include({ level: 'info', service: 'local-sfn', message: 'listening', endpoint: first.endpoint });
    const { stateMachineArn } = await first.sfn.send(
      new CreateStateMachineCommand({ name: 'kept', roleArn: 'arn:aws:iam::000000000000:role/r', definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}' }),
    );
    const code = await new Promise<number | null>((resolve) => {
      first.child.once('exit', (c) => resolve(c));
      first.child.kill('SIGTERM');
    });
    expect(code).to.equal(0);

    const second = await startCli(dataDir);
    const described = await second.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(described.name).to.equal('kept');
  });

  it('serves --secret values through a Secrets Manager endpoint', async () => {
    const cli = await startCli(dataDir, ['--secret', 'ocp-token={"token":"abc=def"}']);
    const line = cli.logs.find((l) => l.message === 'secrets manager listening') as { endpoint: string } | undefined;
    expect(line, 'secrets manager log line').to.not.equal(undefined);
    const sm = new SecretsManagerClient({ ...localAws, endpoint: line!.endpoint, maxAttempts: 1 });
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'ocp-token' }));
    sm.destroy();
    expect(got.SecretString).to.equal('{"token":"abc=def"}');
  });

  it('refuses invalid options with a message naming the option', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/sfn-api/cli.ts', '--data-dir', dataDir, '--speed=0'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.contain('--speed');
  });
});

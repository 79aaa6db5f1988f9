import { expect } from 'chai';
import {
  SecretsManagerClient,
  GetSecretValueCommand,
  ResourceNotFoundException,
  DescribeSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { startSecretsManager } from '../../local/sfn-api/secrets-manager.ts';
import { secretsManagerTokenProvider } from '../../runtime/ocp/token.ts';
import type { RunningService } from '../../local/sfn-api/aws-json.ts';
import { localAws } from '../support/services.ts';

describe('local Secrets Manager (GetSecretValue over AWS JSON 1.1)', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ocp/token-AbC123';
  let server: RunningService;
  let client: SecretsManagerClient;

  before(async () => {
    server = await startSecretsManager({ secrets: { [arn]: 'arn-token', 'plain-name': 'name-token' } });
    client = new SecretsManagerClient({ ...localAws, endpoint: server.endpoint, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it('returns a secret stored under its ARN, by ARN and by name', async () => {
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    expect(byArn.SecretString).to.equal('arn-token');
    expect(byArn.ARN).to.equal(arn);
    expect(byArn.Name).to.equal('ocp/token');
    expect(byArn.VersionStages).to.deep.equal(['AWSCURRENT']);
    expect(byArn.CreatedDate).to.be.instanceOf(Date);
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'ocp/token' }));
    expect(byName.SecretString).to.equal('arn-token');
  });

  it('gives a secret stored under a name a stable AWS-shaped ARN that finds it again', async () => {
    const first = await client.send(new GetSecretValueCommand({ SecretId: 'plain-name' }));
    expect(first.ARN).to.match(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:plain-name-[A-Za-z0-9]{6}$/);
    const again = await client.send(new GetSecretValueCommand({ SecretId: first.ARN! }));
    expect(again.SecretString).to.equal('name-token');
    expect(again.VersionId).to.equal(first.VersionId);
  });

  it('answers ResourceNotFoundException for an unknown secret or another staging label', async () => {
    const err1 = await client.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    expect(err1).to.be.instanceOf(ResourceNotFoundException);
    expect((err1 as Error).message).to.contain("can't find the specified secret");
    const err2 = await client
      .send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }))
      .catch((e: unknown) => e);
    expect(err2).to.be.instanceOf(ResourceNotFoundException);
  });

  it("serves the runtime's own OCP token provider unchanged", async () => {
    const jsonArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ocp/json-Zz9999';
    const sm = await startSecretsManager({ secrets: { [jsonArn]: JSON.stringify({ token: 'from-json' }) } });
    const runtimeClient = new SecretsManagerClient({ ...localAws, endpoint: sm.endpoint, maxAttempts: 1 });
    try {
      const token = secretsManagerTokenProvider({ secretArn: jsonArn, client: runtimeClient });
      expect(await token()).to.equal('from-json');
    } finally {
      runtimeClient.destroy();
      await sm.stop();
    }
  });

  it('rejects actions it does not serve with UnknownOperationException', async () => {
    const err = await client.send(new DescribeSecretCommand({ SecretId: arn })).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('UnknownOperationException');
  });

  it('rejects a request without SecretId with ValidationException', async () => {
    const res = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: '{}',
    });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).to.equal('ValidationException');
    expect(body.message).to.contain("at 'SecretId'").and.to.contain('Member must not be null');
  });
});

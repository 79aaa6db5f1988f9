import { expect } from 'chai';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startSecretsManager } from '../../local/sfn-api/secrets-manager.ts';
import { localAws } from '../support/services.ts';
import {
  OcpTokenUnavailableError,
  cachedTokenProvider,
  secretsManagerTokenProvider,
  tokenFromSecretString,
} from '../../runtime/ocp/token.ts';

type RunningSecrets = Awaited<ReturnType<typeof startSecretsManager>>;

describe('OCP token from Secrets Manager', () => {
  const plainArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ocp/plain-AbC123';
  const jsonArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ocp/json-XyZ789';
  let server: RunningSecrets;
  let fetches = 0;
  let client: SecretsManagerClient;

  before(async () => {
    server = await startSecretsManager({
      secrets: { [plainArn]: 'plain-token-1', [jsonArn]: JSON.stringify({ token: 'json-token-1' }) },
    });
    client = new SecretsManagerClient({ ...localAws, endpoint: server.endpoint, maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        fetches++;
        return next(args);
      },
      { step: 'initialize', name: 'countGetSecretValue' },
    );
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  beforeEach(() => {
    fetches = 0;
  });

  it('reads a bare token and a {"token": …} secret with the real SDK', async () => {
    expect(await secretsManagerTokenProvider({ client, secretArn: plainArn })()).to.equal('plain-token-1');
    expect(await secretsManagerTokenProvider({ client, secretArn: jsonArn })()).to.equal('json-token-1');
  });

  it('caches the token for its TTL, and concurrent first callers share one fetch', async () => {
    let now = 1_000_000;
    const provider = secretsManagerTokenProvider({ client, secretArn: plainArn, ttlMs: 60_000, now: () => now });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => provider()));
    expect(new Set(tokens)).to.deep.equal(new Set(['plain-token-1']));
    expect(fetches).to.equal(1);
    now += 59_999;
    await provider();
    expect(fetches).to.equal(1);
    now += 2;
    await provider();
    expect(fetches).to.equal(2);
    provider.invalidate?.();
    await provider();
    expect(fetches).to.equal(3);
  });

  it('fails with the secret named (not its value) and tries again on the next call', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ocp/missing-QQQ111';
    const provider = secretsManagerTokenProvider({ client, secretArn: missing });
    for (let i = 0; i < 2; i++) {
      try {
        await provider();
        expect.fail('expected a failure');
      } catch (error) {
        expect(error).to.be.instanceOf(OcpTokenUnavailableError);
        expect((error as Error).message).to.include(missing).and.include('ResourceNotFoundException');
      }
    }
    expect(fetches).to.equal(2);
  });

  it('asks for OCP_TOKEN_SECRET_ARN when no ARN is given', () => {
    const saved = process.env.OCP_TOKEN_SECRET_ARN;
    delete process.env.OCP_TOKEN_SECRET_ARN;
    try {
      expect(() => secretsManagerTokenProvider({ client })).to.throw(OcpTokenUnavailableError, /OCP_TOKEN_SECRET_ARN is not set/);
    } finally {
      if (saved !== undefined) process.env.OCP_TOKEN_SECRET_ARN = saved;
    }
  });

  it('describes a badly shaped secret without echoing it', () => {
    const arn = 'arn:x';
    for (const secret of ['{"tokn": "abc-secret-123"}', '{abc-secret-123', '   ']) {
      try {
        tokenFromSecretString(secret, arn);
        expect.fail(`accepted ${secret}`);
      } catch (error) {
        expect(error).to.be.instanceOf(OcpTokenUnavailableError);
        expect((error as Error).message).to.include(arn).and.not.include('abc-secret-123');
      }
    }
    expect(tokenFromSecretString(' {"bearerToken": "b-1"} ', arn)).to.equal('b-1');
  });

  it('does not cache a failed fetch', async () => {
    let calls = 0;
    const provider = cachedTokenProvider(async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
      return 'second';
    });
    await provider().catch(() => undefined);
    expect(await provider()).to.equal('second');
    expect(calls).to.equal(2);
  });
});

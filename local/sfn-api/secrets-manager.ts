/**
 * Just enough AWS Secrets Manager for local mode: GetSecretValue over AWS JSON 1.1, so the runtime's
 * real `@aws-sdk/client-secrets-manager` reads the OCP token from here exactly as it does in AWS.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AwsServiceError, parseRequest, startAwsJsonService, type AwsJsonLog, type RunningService } from './aws-json.ts';

export interface SecretsManagerOptions {
  /** Secret string by ARN or by name; either form finds the secret. */
  secrets: Record<string, string>;
  port?: number;
  region?: string;
  accountId?: string;
  log?: AwsJsonLog;
}

interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  versionId: string;
  createdDate: Date;
}

const GetSecretValueRequest = z.object({
  SecretId: z.string().min(1).max(2048),
  VersionId: z.string().min(32).max(64).optional(),
  VersionStage: z.string().min(1).max(256).optional(),
});

const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/;

export async function startSecretsManager(options: SecretsManagerOptions): Promise<RunningService> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const createdDate = new Date();
  const byId = new Map<string, StoredSecret>();
  for (const [id, value] of Object.entries(options.secrets)) {
    const secret = storedSecret(id, value, region, accountId, createdDate);
    byId.set(secret.arn, secret);
    byId.set(secret.name, secret);
  }

  return startAwsJsonService({
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    description: 'the local Secrets Manager',
    ...(options.port ? { port: options.port } : {}),
    ...(options.log ? { log: options.log } : {}),
    actions: {
      GetSecretValue(body) {
        const req = parseRequest(GetSecretValueRequest, body);
        const secret = byId.get(req.SecretId);
        if (!secret) throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        // One version per secret, labelled AWSCURRENT: asking for any other version finds nothing, as in AWS.
        if (req.VersionStage !== undefined && req.VersionStage !== 'AWSCURRENT') {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for staging label: ${req.VersionStage}`,
          );
        }
        if (req.VersionId !== undefined && req.VersionId !== secret.versionId) {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for VersionId: ${req.VersionId}`,
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: secret.createdDate,
        };
      },
    },
  });
}

function storedSecret(id: string, value: string, region: string, accountId: string, createdDate: Date): StoredSecret {
  const digest = createHash('sha256').update(id).digest('hex');
  // A stable UUID-shaped version id, so repeated runs report the same version.
  const versionId = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
  const match = secretArnPattern.exec(id);
  if (match?.[1]) return { arn: id, name: match[1], value, versionId, createdDate };
  // AWS appends six random characters to a secret's ARN; derive them so the ARN is stable.
  const suffix = Buffer.from(digest, 'hex').toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 6);
  return { arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${id}-${suffix}`, name: id, value, versionId, createdDate };
}

/**
 * The OCP bearer token, read from AWS Secrets Manager (ARN in OCP_TOKEN_SECRET_ARN) and cached for a
 * while so a warm Lambda does not pay a Secrets Manager call per OCP request. Concurrent first callers
 * share one fetch. The token never appears in an error message or a log line from here.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { Env } from '../../system/functions.ts';
import type { OcpTokenProvider } from './client.ts';

export class OcpTokenUnavailableError extends Error {
  override readonly name = 'OcpTokenUnavailableError';
}

export interface CachedTokenOptions {
  /** How long a fetched token is reused; rotation takes effect within this time. */
  ttlMs?: number;
  now?: () => number;
}

export const DefaultTokenTtlMs = 5 * 60_000;

/**
 * Wraps any token source with a TTL cache. A failed fetch is not cached, so the next call tries again;
 * `invalidate()` forgets the token, e.g. after OCP answered 401.
 */
export function cachedTokenProvider(fetchToken: () => Promise<string>, options: CachedTokenOptions = {}): OcpTokenProvider {
  const ttlMs = options.ttlMs ?? DefaultTokenTtlMs;
  const now = options.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const provider = async (): Promise<string> => {
    if (cached && now() < cached.expiresAt) return cached.token;
    inFlight ??= fetchToken()
      .then((token) => {
        cached = { token, expiresAt: now() + ttlMs };
        return token;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  return Object.assign(provider, {
    invalidate: () => {
      cached = undefined;
    },
  });
}

const TokenJson = z.union([
  z.object({ token: z.string().min(1) }),
  z.object({ apiToken: z.string().min(1) }).transform((s) => ({ token: s.apiToken })),
  z.object({ bearerToken: z.string().min(1) }).transform((s) => ({ token: s.bearerToken })),
]);

/**
 * The secret may hold the bare token or JSON such as `{"token": "…"}` (the shape the console's
 * key/value editor produces). Errors describe the shape, never the content.
 */
export function tokenFromSecretString(secret: string, secretArn: string): string {
  const trimmed = secret.trim();
  if (trimmed.length === 0) throw new OcpTokenUnavailableError(`Secret ${secretArn} is empty; store the OCP API token in it.`);
  if (!trimmed.startsWith('{')) return trimmed;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new OcpTokenUnavailableError(
      `Secret ${secretArn} starts with '{' but is not valid JSON; store either the bare token or {"token": "..."}.`,
    );
  }
  const parsed = TokenJson.safeParse(json);
  if (!parsed.success) {
    throw new OcpTokenUnavailableError(
      `Secret ${secretArn} is JSON without a non-empty "token" (or "apiToken"/"bearerToken") field; store {"token": "..."}.`,
    );
  }
  return parsed.data.token;
}

export interface SecretsManagerTokenOptions extends CachedTokenOptions {
  /** Defaults to the OCP_TOKEN_SECRET_ARN environment variable. */
  secretArn?: string;
  client?: SecretsManagerClient;
}

export function secretsManagerTokenProvider(options: SecretsManagerTokenOptions = {}): OcpTokenProvider {
  const secretArn = options.secretArn ?? process.env[Env.ocpTokenSecretArn];
  if (!secretArn) {
    throw new OcpTokenUnavailableError(`${Env.ocpTokenSecretArn} is not set; point it at the secret that holds the OCP API token.`);
  }
  let client = options.client;
  return cachedTokenProvider(async () => {
    client ??= new SecretsManagerClient({});
    let secret: string | undefined;
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      secret = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'unknown error';
      throw new OcpTokenUnavailableError(
        `Could not read the OCP token from Secrets Manager secret ${secretArn} (${name}); check the secret exists and the function's role may call secretsmanager:GetSecretValue on it.`,
      );
    }
    if (secret === undefined) throw new OcpTokenUnavailableError(`Secret ${secretArn} has no value; store the OCP API token in it.`);
    return tokenFromSecretString(secret, secretArn);
  }, options);
}

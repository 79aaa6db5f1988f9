/**
 * Pre-signed download URLs: the worker downloads with the URL alone, as from a real platform's CDN,
 * and never needs the API token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class UrlSigner {
  constructor(private readonly key: string) {}

  sign(exportJobId: string, expiresEpochSeconds: number): string {
    return createHmac('sha256', this.key).update(`${exportJobId}\n${expiresEpochSeconds}`).digest('hex');
  }

  verify(exportJobId: string, expiresEpochSeconds: number, signature: string): boolean {
    const expected = this.sign(exportJobId, expiresEpochSeconds);
    return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  }
}

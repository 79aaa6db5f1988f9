/**
 * Opaque `nextToken` paging as the list APIs do it: the token remembers which listing it belongs to,
 * so a token from another request is InvalidToken instead of a silently wrong page.
 */
import { createHash } from 'node:crypto';
import { AwsServiceError } from './aws-json.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** AWS's default and maximum page sizes for ListExecutions and GetExecutionHistory. */
const defaultPageSize = 100;
const maxPageSize = 1000;

export function paginate<T>(all: T[], listing: string, maxResults: number | undefined, nextToken: string | undefined): Page<T> {
  const size = maxResults === undefined || maxResults === 0 ? defaultPageSize : Math.min(maxResults, maxPageSize);
  const start = nextToken === undefined ? 0 : decode(nextToken, listing);
  const items = all.slice(start, start + size);
  const next = start + size;
  return next < all.length ? { items, nextToken: encode(listing, next) } : { items };
}

function fingerprint(listing: string): string {
  return createHash('sha256').update(listing).digest('base64url').slice(0, 16);
}

function encode(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: fingerprint(listing), o: offset })).toString('base64url');
}

function decode(token: string, listing: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: unknown; o?: unknown };
    if (parsed.l === fingerprint(listing) && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) {
      return parsed.o;
    }
  } catch {
    /* reported below */
  }
  throw new AwsServiceError('InvalidToken', `Invalid Token: '${token.slice(0, 64)}' does not belong to this request; start again without nextToken.`);
}

/**
 * Step Functions' optimised integrations answer with the AWS SDK for Java's response envelope
 * next to the service's own fields. Workflows rarely read it, but a ResultSelector or a test
 * written against AWS output may, so the local integrations add the same keys.
 */
import { randomUUID } from 'node:crypto';

export interface SdkEnvelope {
  SdkHttpMetadata: {
    AllHttpHeaders: Record<string, string[]>;
    HttpHeaders: Record<string, string>;
    HttpStatusCode: number;
  };
  SdkResponseMetadata: { RequestId: string };
}

/** The envelope for a response with this request id (a fresh one when the service gave none). */
export function sdkEnvelope(
  requestId: string | undefined,
  contentType: string,
  statusCode = 200,
  extraHeaders: Record<string, string> = {},
): SdkEnvelope {
  const id = requestId ?? randomUUID();
  const headers: Record<string, string> = { 'Content-Type': contentType, 'x-amzn-RequestId': id, ...extraHeaders };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: id },
  };
}

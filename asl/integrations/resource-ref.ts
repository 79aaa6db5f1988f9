/**
 * Tasks address DynamoDB tables by name and SQS queues by URL, but IAM needs ARNs. A reference
 * can carry both; a plain string is enough to render the ASL but not to derive permissions.
 */
export type TableRef = string | { name: string; arn: string };
export type QueueRef = string | { url: string; arn: string };

export function tableName(ref: TableRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

export function queueUrl(ref: QueueRef): string {
  return typeof ref === 'string' ? ref : ref.url;
}

/** The ARN for the role, or a marker that makes permission collection fail with the state's name. */
export function arnOf(ref: TableRef | QueueRef): string {
  return typeof ref === 'string' ? `${UnknownArnPrefix}${ref}` : ref.arn;
}

export const UnknownArnPrefix = 'unknown-arn:';

/**
 * The ways a Lambda function can be named — `name`, `name:qualifier`, `123456789012:function:name`,
 * a full function ARN with or without qualifier — reduced to the name and qualifier, so a workflow
 * that names functions by ARN finds the same local handler as one that uses plain names.
 */
export interface FunctionRef {
  name: string;
  qualifier?: string;
}

const namePart = '([A-Za-z0-9_-]{1,64})';
const qualifierPart = '(?::(\\$LATEST|[A-Za-z0-9_-]{1,128}))?';
const forms = [
  new RegExp(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:${namePart}${qualifierPart}$`),
  new RegExp(`^\\d{12}:function:${namePart}${qualifierPart}$`),
  new RegExp(`^${namePart}${qualifierPart}$`),
];

export function parseFunctionRef(id: string): FunctionRef | undefined {
  for (const form of forms) {
    const m = form.exec(id);
    if (m?.[1]) return m[2] ? { name: m[1], qualifier: m[2] } : { name: m[1] };
  }
  return undefined;
}

/** True when the Task Resource is a Lambda function ARN (the non-optimised integration). */
export function isFunctionArn(resource: string): boolean {
  return forms[0]!.test(resource);
}

export function functionArn(ref: FunctionRef, region: string, accountId: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${ref.name}${ref.qualifier ? `:${ref.qualifier}` : ''}`;
}

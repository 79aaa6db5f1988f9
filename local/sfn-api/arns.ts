/**
 * Shape checks for the ARNs the API receives. AWS answers InvalidArn before it looks anything up,
 * so a typo reads as "not an ARN" rather than "does not exist".
 */
import { AwsServiceError } from './aws-json.ts';

const partition = 'arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}';
const stateMachineArn = new RegExp(`^${partition}:stateMachine:[^:]{1,80}$`);
const executionArn = new RegExp(`^${partition}:execution:[^:]{1,80}:[^:]{1,80}$`);

export function assertStateMachineArn(arn: string): void {
  if (stateMachineArn.test(arn)) return;
  throw new AwsServiceError('InvalidArn', `Invalid Arn: '${describeProblem(arn, 'stateMachine')}'`);
}

export function assertExecutionArn(arn: string): void {
  if (executionArn.test(arn)) return;
  throw new AwsServiceError('InvalidArn', `Invalid Arn: '${describeProblem(arn, 'execution')}'`);
}

function describeProblem(arn: string, expected: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'states') return `Unable to parse ARN: ${arn}`;
  if (parts[5] !== expected) return `Resource type not valid in this context: ${parts[5]}`;
  return `Malformed ${expected} ARN: ${arn}`;
}

/**
 * Execution and state machine names: 1-80 characters, none of whitespace, brackets, wildcards,
 * the special characters AWS lists, or control characters.
 */
const invalidNameCharacters = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !invalidNameCharacters.test(name);
}

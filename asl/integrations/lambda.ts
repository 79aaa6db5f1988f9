import type { Duration } from '../duration.ts';
import { Expr, JsonPath } from '../paths.ts';
import { Task } from '../states/task.ts';
import type { ResultProps } from '../states/retryable.ts';
import type { Template, TemplateValue } from '../template.ts';

export interface LambdaInvokeProps extends ResultProps {
  /** The function's ARN (a name works for ASL but gives no permission to derive). */
  functionArn: string;
  payload: Template;
  /**
   * Pause until someone calls SendTaskSuccess/Failure with the token; the payload must pass
   * JsonPath.taskToken to the function.
   */
  waitForTaskToken?: boolean;
  timeout?: Duration;
  heartbeat?: Duration;
}

export const LambdaInvokeResource = 'arn:aws:states:::lambda:invoke';

/** Invokes a function through the optimised integration; the function's return value is `$.Payload`. */
export function lambdaInvoke(name: string, props: LambdaInvokeProps): Task {
  if (props.waitForTaskToken && !mentions(props.payload, JsonPath.taskToken.text)) {
    throw new Error(`Task '${name}' waits for a task token but its payload never passes ${JsonPath.taskToken.text}`);
  }
  const { functionArn, payload, waitForTaskToken, ...rest } = props;
  return new Task(name, {
    ...rest,
    resource: waitForTaskToken ? `${LambdaInvokeResource}.waitForTaskToken` : LambdaInvokeResource,
    parameters: { FunctionName: functionArn, Payload: payload },
    // Step Functions may call a qualified ARN (version or alias), so allow both forms.
    permissions: [{ actions: ['lambda:InvokeFunction'], resources: [functionArn, `${functionArn}:*`] }],
  });
}

function mentions(value: TemplateValue, text: string): boolean {
  if (value instanceof Expr) return value.text.includes(text);
  if (Array.isArray(value)) return value.some((v) => mentions(v, text));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => mentions(v, text));
  return false;
}

import type { Duration } from '../duration.ts';
import { compact, type JsonObject } from '../json.ts';
import type { Permission } from '../permissions.ts';
import { renderTemplate, type Template } from '../template.ts';
import { RetryableState, type ResultProps } from './retryable.ts';

export interface TaskProps extends ResultProps {
  /** The integration or activity ARN, e.g. arn:aws:states:::lambda:invoke. */
  resource: string;
  parameters?: Template;
  timeout?: Duration;
  heartbeat?: Duration;
  /** What running this task needs from the state machine's role. */
  permissions?: Permission[];
}

export class Task extends RetryableState {
  readonly type = 'Task' as const;

  constructor(
    name: string,
    private readonly taskProps: TaskProps,
  ) {
    super(name, taskProps);
  }

  get resource(): string {
    return this.taskProps.resource;
  }

  get timeout(): Duration | undefined {
    return this.taskProps.timeout;
  }

  get heartbeat(): Duration | undefined {
    return this.taskProps.heartbeat;
  }

  override permissions(): Permission[] {
    return this.taskProps.permissions ?? [];
  }

  toJson(): JsonObject {
    const p = this.taskProps;
    return compact({
      Type: 'Task',
      Comment: this.comment,
      Resource: p.resource,
      ...this.io(),
      Parameters: p.parameters ? renderTemplate(p.parameters) : undefined,
      ...this.resultFields(),
      TimeoutSeconds: p.timeout?.toSeconds(),
      HeartbeatSeconds: p.heartbeat?.toSeconds(),
      Assign: this.assignJson(),
      ...this.errorHandling(),
      ...this.ending(),
    });
  }
}

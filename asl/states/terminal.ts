import { compact, type JsonObject } from '../json.ts';
import { State, type INextable, type Transition } from '../state.ts';

/** Succeed and Fail end a path; they have no `next` (enforced by their type). */
abstract class TerminalState extends State {
  get endStates(): readonly INextable[] {
    return [];
  }

  transitions(): Transition[] {
    return [];
  }
}

export interface SucceedProps {
  comment?: string;
  inputPath?: string;
  outputPath?: string;
}

export class Succeed extends TerminalState {
  readonly type = 'Succeed' as const;

  constructor(
    name: string,
    private readonly props: SucceedProps = {},
  ) {
    super(name, props.comment);
  }

  toJson(): JsonObject {
    return compact({ Type: 'Succeed', Comment: this.comment, InputPath: this.props.inputPath, OutputPath: this.props.outputPath });
  }
}

/** Error and Cause are either fixed text or read at run time (a path, a variable or an intrinsic). */
export interface FailProps {
  comment?: string;
  error?: string;
  cause?: string;
  errorPath?: string;
  causePath?: string;
}

export class Fail extends TerminalState {
  readonly type = 'Fail' as const;

  constructor(
    name: string,
    private readonly props: FailProps = {},
  ) {
    super(name, props.comment);
    if (props.error !== undefined && props.errorPath !== undefined) throw new Error(`Fail state '${name}' cannot have both error and errorPath`);
    if (props.cause !== undefined && props.causePath !== undefined) throw new Error(`Fail state '${name}' cannot have both cause and causePath`);
  }

  toJson(): JsonObject {
    const p = this.props;
    return compact({ Type: 'Fail', Comment: this.comment, Error: p.error, ErrorPath: p.errorPath, Cause: p.cause, CausePath: p.causePath });
  }
}

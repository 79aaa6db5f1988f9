import { Chain } from '../chain.ts';
import { compact, type JsonObject } from '../json.ts';
import { renderTemplate, type Template } from '../template.ts';
import { State, type IChainable, type INextable, type Transition } from '../state.ts';

/** Fields every state except Choice, Succeed and Fail can have. */
export interface NextableProps {
  comment?: string;
  inputPath?: string;
  outputPath?: string;
  /** Variables set when the state succeeds. */
  assign?: Template;
}

/** A state that continues to one next state, or ends the execution successfully when it has none. */
export abstract class NextableState extends State implements INextable {
  private nextState?: State;

  protected constructor(
    name: string,
    protected readonly props: NextableProps,
  ) {
    super(name, props.comment);
  }

  get endStates(): readonly INextable[] {
    return [this];
  }

  get successor(): State | undefined {
    return this.nextState;
  }

  next(then: IChainable): Chain {
    const target = then.startState;
    if (this.nextState && this.nextState !== target) {
      throw new Error(`State '${this.name}' already has a next state ('${this.nextState.name}'); it cannot also go to '${target.name}'`);
    }
    this.nextState = target;
    this.link(target);
    return Chain.custom(this, then.endStates);
  }

  transitions(): Transition[] {
    return this.nextState ? [{ target: this.nextState, kind: 'next' }] : [];
  }

  /** Next or End, written last as ASL convention has it. */
  protected ending(): JsonObject {
    return this.nextState ? { Next: this.nextState.name } : { End: true };
  }

  protected io(): JsonObject {
    return compact({ InputPath: this.props.inputPath, OutputPath: this.props.outputPath });
  }

  protected assignJson(): JsonObject | undefined {
    return this.props.assign ? renderTemplate(this.props.assign) : undefined;
  }
}

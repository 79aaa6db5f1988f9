import { Chain } from '../chain.ts';
import type { Condition } from '../conditions.ts';
import { compact, type JsonObject } from '../json.ts';
import { State, type IChainable, type INextable, type Transition } from '../state.ts';
import { renderTemplate, type Template } from '../template.ts';

export interface ChoiceProps {
  comment?: string;
  inputPath?: string;
  outputPath?: string;
}

export interface ChoiceRuleOptions {
  /** Variables set when this rule is taken; `$` is the Choice's input. */
  assign?: Template;
  comment?: string;
}

interface Rule {
  condition: Condition;
  branch: IChainable;
  options: ChoiceRuleOptions;
}

/**
 * Branches on conditions. Not nextable: continue after it with `afterwards()`, which joins
 * the ends of every branch.
 */
export class Choice extends State {
  readonly type = 'Choice' as const;
  private readonly rules: Rule[] = [];
  private defaultBranch?: IChainable;

  constructor(
    name: string,
    private readonly props: ChoiceProps = {},
  ) {
    super(name, props.comment);
  }

  when(condition: Condition, next: IChainable, options: ChoiceRuleOptions = {}): this {
    this.rules.push({ condition, branch: next, options });
    this.link(next.startState);
    return this;
  }

  otherwise(next: IChainable): this {
    if (this.defaultBranch && this.defaultBranch.startState !== next.startState) {
      throw new Error(`Choice '${this.name}' already has a default ('${this.defaultBranch.startState.name}'); it cannot also default to '${next.startState.name}'`);
    }
    this.defaultBranch = next;
    this.link(next.startState);
    return this;
  }

  /** A chain whose next step follows every branch that does not end in Succeed or Fail. */
  afterwards(): Chain {
    const ends = new Set<INextable>();
    for (const branch of [...this.rules.map((r) => r.branch), ...(this.defaultBranch ? [this.defaultBranch] : [])]) {
      for (const end of branch.endStates) ends.add(end);
    }
    return Chain.custom(this, [...ends]);
  }

  get endStates(): readonly INextable[] {
    return [];
  }

  get conditions(): readonly Condition[] {
    return this.rules.map((r) => r.condition);
  }

  transitions(): Transition[] {
    return [
      ...this.rules.map((r) => ({ target: r.branch.startState, kind: 'choice' as const, label: r.options.comment })),
      ...(this.defaultBranch ? [{ target: this.defaultBranch.startState, kind: 'default' as const, label: 'otherwise' }] : []),
    ];
  }

  toJson(): JsonObject {
    return compact({
      Type: 'Choice',
      Comment: this.comment,
      InputPath: this.props.inputPath,
      OutputPath: this.props.outputPath,
      Choices: this.rules.map((r) => ({
        ...compact({ Comment: r.options.comment }),
        ...r.condition.toJson(),
        ...compact({ Assign: r.options.assign ? renderTemplate(r.options.assign) : undefined }),
        Next: r.branch.startState.name,
      })),
      Default: this.defaultBranch?.startState.name,
    });
  }
}

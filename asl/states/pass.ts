import { compact, type Json, type JsonObject } from '../json.ts';
import { renderTemplate, type Template } from '../template.ts';
import { NextableState, type NextableProps } from './nextable.ts';

export interface PassProps extends NextableProps {
  result?: Json;
  parameters?: Template;
  resultPath?: string | null;
}

export class Pass extends NextableState {
  readonly type = 'Pass' as const;

  constructor(
    name: string,
    private readonly passProps: PassProps = {},
  ) {
    super(name, passProps);
  }

  toJson(): JsonObject {
    const p = this.passProps;
    return compact({
      Type: 'Pass',
      Comment: this.comment,
      ...this.io(),
      Parameters: p.parameters ? renderTemplate(p.parameters) : undefined,
      Result: p.result,
      ResultPath: p.resultPath,
      Assign: this.assignJson(),
      ...this.ending(),
    });
  }
}

/**
 * The shape every workflow-step handler shares, so parsing, logging and output checking live once:
 * parse the Payload with its contract schema, log with the call's ids, run the step, check the
 * result against the output schema (a wrong shape is our bug and must not reach the workflow).
 */
import type { z } from 'zod';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '../../system/functions.ts';
import { callLogger, type Logger } from '../logging/logger.ts';
import { parseInput } from './parse-input.ts';
import { ErrorNames } from '../errors.ts';

export interface StepSpec<I extends z.ZodType, O extends z.ZodType, D> {
  name: FunctionName;
  input: I;
  output: O;
  run(input: z.output<I>, deps: D, log: Logger): Promise<z.input<O>>;
}

export interface StepDeps {
  logger: Logger;
}

export type StepHandler<O extends z.ZodType> = (event: unknown, context?: Context) => Promise<z.output<O>>;

export function stepHandler<I extends z.ZodType, O extends z.ZodType, D extends StepDeps>(spec: StepSpec<I, O, D>) {
  return (deps: D): StepHandler<O> =>
    async (event, context) => {
      const base = context ? withContext(deps.logger, context) : deps.logger;
      let input: z.output<I>;
      try {
        input = parseInput(spec.input, event, `${spec.name} input`);
      } catch (err) {
        base.warn('rejected invalid input', { step: spec.name, error: errorSummary(err) });
        throw err;
      }
      const log = callLogger(base, input as object);
      try {
        const result = await spec.run(input, deps, log);
        const output = parseInput(spec.output, result, `${spec.name} output`);
        log.info('step done', { step: spec.name });
        return output;
      } catch (err) {
        // Named errors are the workflow's business (it retries or records them); anything else is a bug.
        if (isWorkflowError(err)) log.warn('step failed', { step: spec.name, error: errorSummary(err) });
        else log.error('step failed with an unexpected error', { step: spec.name, error: errorSummary(err) });
        throw err;
      }
    };
}

function withContext(logger: Logger, context: Context): Logger {
  const child = logger.createChild();
  child.addContext(context);
  return child;
}

const workflowErrorNames = new Set<string>(Object.values(ErrorNames));

function isWorkflowError(err: unknown): boolean {
  return err instanceof Error && workflowErrorNames.has(err.name);
}

/** Name and message only: stacks are noise for the expected failures and causes may carry payloads. */
export function errorSummary(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'UnknownError', message: String(err) };
}

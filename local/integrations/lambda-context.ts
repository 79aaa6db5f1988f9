/**
 * The second argument of a Lambda handler, built for an in-process invocation: the same fields as the
 * Node.js runtime provides, with the remaining time measured on the engine's clock.
 */
import type { Context } from 'aws-lambda';
import type { Clock } from '../engine/types.ts';

export interface LambdaContextArgs {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: number;
  awsRequestId: string;
  /** Clock time (epoch ms) at which the invocation times out. */
  deadline: number;
  clock: Clock;
}

export function lambdaContext(args: LambdaContextArgs): Context {
  const unsupported = (what: string) => () => {
    throw new Error(`context.${what}() is not supported locally; return a value or throw from an async handler instead.`);
  };
  const day = new Date(args.clock.now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: args.functionName,
    functionVersion: args.functionVersion,
    invokedFunctionArn: args.invokedFunctionArn,
    memoryLimitInMB: String(args.memoryLimitInMB),
    awsRequestId: args.awsRequestId,
    logGroupName: `/aws/lambda/${args.functionName}`,
    logStreamName: `${day}/[${args.functionVersion}]${args.awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, args.deadline - args.clock.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

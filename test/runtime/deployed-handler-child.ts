/**
 * Runs one handler module's `handler` export the way Lambda does: a fresh process, configuration
 * only from the environment, the event as JSON on argv. Prints the outcome on a final `OUTCOME ` line
 * so the parent can tell it apart from the handler's own log lines.
 */
import type { Context } from 'aws-lambda';
import { FunctionNames, handlerEntry, type FunctionName } from '../../system/functions.ts';

const [name, eventJson] = process.argv.slice(2);
if (!name || !(FunctionNames as readonly string[]).includes(name) || eventJson === undefined) {
  console.error(`usage: deployed-handler-child.ts <${FunctionNames.join('|')}> <event json>`);
  process.exit(2);
}
const mod = (await import(new URL(`../../${handlerEntry(name as FunctionName)}`, import.meta.url).href)) as {
  handler: (event: unknown, context: Context) => Promise<unknown>;
};
const context = {
  functionName: name,
  awsRequestId: 'req-1',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
} as Context;
try {
  const result = await mod.handler(JSON.parse(eventJson), context);
  console.log(`OUTCOME ${JSON.stringify({ ok: true, result })}`);
} catch (err) {
  const e = err as Error;
  console.log(`OUTCOME ${JSON.stringify({ ok: false, name: e.name, message: e.message })}`);
}

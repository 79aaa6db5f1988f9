/**
 * Entry point of the workflow host child process (see workflow-host.ts). Reads its configuration
 * from LOCAL_WORKFLOW_HOST (JSON), prints one `WORKFLOW_HOST_READY {...}` line when it serves, logs
 * JSON lines to LOCAL_WORKFLOW_HOST_LOG, and exits on SIGTERM/SIGINT (orphan-guard.ts sends the
 * SIGTERM when local mode itself died).
 */
import { createServiceLog } from './service-log.ts';
import { WorkflowHostReadyMarker, startWorkflowHost, type WorkflowHostConfig } from './workflow-host.ts';

async function main(): Promise<void> {
  const raw = process.env.LOCAL_WORKFLOW_HOST;
  if (!raw) throw new Error('LOCAL_WORKFLOW_HOST is not set: this program is started by local mode, not by hand.');
  const log = createServiceLog(process.env.LOCAL_WORKFLOW_HOST_LOG, 'workflow-host');
  const host = await startWorkflowHost(JSON.parse(raw) as WorkflowHostConfig, log);
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.log('info', 'workflow host stopping', { why });
    await host.stop().catch((err: unknown) => log.log('error', 'stop failed', { error: String(err) }));
    await log.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.stdout.write(`${WorkflowHostReadyMarker} ${JSON.stringify({ stepFunctionsEndpoint: host.stepFunctionsEndpoint, stateMachineArn: host.stateMachineArn, resumed: host.resumed })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`workflow host failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import { expect } from 'chai';
import { renderReconciliationAsl } from '../../workflow/reconciliation.ts';
import { readStackWorkflowConfig } from '../../workflow/stack-config.ts';
import { one, stackRun, type ProgramRun } from './support/program.ts';

const logLevel = { dev: { level: 'ALL', includeExecutionData: true }, prod: { level: 'ERROR', includeExecutionData: false } };

for (const stack of ['dev', 'prod'] as const) {
  describe(`infra: state machine (${stack})`, () => {
    let run: ProgramRun;
    const sm = () => one(run, 'aws:sfn/stateMachine:StateMachine', 'workflow-state-machine');
    before(async function () {
      this.timeout(60_000);
      run = await stackRun(stack);
    });

    it("deploys exactly the DSL's ASL for this stack's config, with the deployed ARNs", () => {
      const lambdaArn = (name: string) => String(one(run, 'aws:lambda/function:Function', `${name}-function`).state.arn);
      const table = one(run, 'aws:dynamodb/table:Table', 'records-table').state;
      const failure = one(run, 'aws:sqs/queue:Queue', 'queues-failure-dlq').state;
      const expectedAsl = renderReconciliationAsl(readStackWorkflowConfig(stack), {
        functions: {
          createExportJob: lambdaArn('createExportJob'),
          checkExportStatus: lambdaArn('checkExportStatus'),
          getExportMetadata: lambdaArn('getExportMetadata'),
          notifyDownloadService: lambdaArn('notifyDownloadService'),
          consolidateReconciliation: lambdaArn('consolidateReconciliation'),
        },
        tableName: String(table.name),
        tableArn: String(table.arn),
        failureQueueUrl: String(failure.url),
        failureQueueArn: String(failure.arn),
      });
      expect(sm().inputs.definition).to.equal(expectedAsl);
      expect(String(sm().inputs.definition)).to.include(`"${lambdaArn('notifyDownloadService')}"`);
    });

    it('is a STANDARD machine with execution logs at the configured level and tracing', () => {
      const i = sm().inputs;
      const group = one(run, 'aws:cloudwatch/logGroup:LogGroup', 'workflow-logs');
      expect(i.name).to.equal(`audio-reconciliation-${stack}`);
      expect(i.type).to.equal('STANDARD');
      expect(i.tracingConfiguration).to.deep.equal({ enabled: true });
      expect(i.loggingConfiguration).to.deep.equal({ ...logLevel[stack], logDestination: `${String(group.state.arn)}:*` });
      expect(group.inputs.name).to.equal(`/aws/vendedlogs/states/audio-reconciliation-${stack}`);
      expect(group.inputs.retentionInDays).to.be.a('number').above(0);
      expect(i.roleArn).to.equal(one(run, 'aws:iam/role:Role', 'workflow-role').state.arn);
    });

    it('exports the state machine ARN and the other stack outputs', () => {
      expect(run.outputs.stateMachineArn).to.equal(sm().state.arn);
      expect(Object.keys(run.outputs).sort()).to.deep.equal(
        ['alarmTopicArn', 'bucketName', 'dashboardUrl', 'dlqUrls', 'inputQueueUrl', 'stateMachineArn', 'tableName', 'workerImageUri'],
      );
      expect(run.outputs.dlqUrls).to.have.all.keys('input', 'worker', 'failure');
      expect(run.outputs.inputQueueUrl).to.equal(one(run, 'aws:sqs/queue:Queue', 'queues-input').state.url);
      expect(run.outputs.tableName).to.equal(`audio-reconciliation-${stack}-reconciliations`);
    });
  });
}

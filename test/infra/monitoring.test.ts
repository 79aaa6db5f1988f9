import { expect } from 'chai';
import { FunctionNames } from '../../system/functions.ts';
import { one, ofType, stackRun, type ProgramRun } from './support/program.ts';

const thresholds = { dev: { executionsFailed: 5, dlq: 10, errors: 5 }, prod: { executionsFailed: 0, dlq: 0, errors: 0 } };

for (const stack of ['dev', 'prod'] as const) {
  describe(`infra: alarms and dashboard (${stack})`, () => {
    let run: ProgramRun;
    const alarm = (id: string) => one(run, 'aws:cloudwatch/metricAlarm:MetricAlarm', `monitoring-${id}`).inputs;
    before(async function () {
      this.timeout(60_000);
      run = await stackRun(stack);
    });

    it('sends every alarm to one encrypted SNS topic', () => {
      const topic = one(run, 'aws:sns/topic:Topic', 'monitoring-alarms');
      expect(topic.inputs.kmsMasterKeyId).to.equal('alias/aws/sns');
      const alarms = ofType(run, 'aws:cloudwatch/metricAlarm:MetricAlarm');
      expect(alarms).to.have.length(2 + 3 + 2 * FunctionNames.length + 1);
      for (const a of alarms) {
        expect(a.inputs.alarmActions, a.name).to.deep.equal([topic.state.arn]);
        expect(a.inputs.treatMissingData, a.name).to.equal('notBreaching');
      }
      expect(run.outputs.alarmTopicArn).to.equal(topic.state.arn);
    });

    it('alarms on failed and timed-out executions of our state machine', () => {
      const sm = one(run, 'aws:sfn/stateMachine:StateMachine', 'workflow-state-machine').state.arn;
      expect(alarm('executions-failed')).to.deep.include({ namespace: 'AWS/States', metricName: 'ExecutionsFailed', dimensions: { StateMachineArn: sm }, threshold: thresholds[stack].executionsFailed });
      expect(alarm('executions-timed-out')).to.deep.include({ metricName: 'ExecutionsTimedOut', dimensions: { StateMachineArn: sm } });
    });

    it('alarms on messages in each dead-letter queue', () => {
      for (const dlq of ['input-dlq', 'worker-dlq', 'failure-dlq'])
        expect(alarm(`${dlq}-messages`)).to.deep.include({
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: `audio-reconciliation-${stack}-${dlq}` },
          threshold: thresholds[stack].dlq,
        });
    });

    it('alarms on errors and throttles of every Lambda and on the age of the worker queue', () => {
      for (const fn of FunctionNames) {
        expect(alarm(`${fn}-errors`)).to.deep.include({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: `audio-reconciliation-${stack}-${fn}` }, threshold: thresholds[stack].errors });
        expect(alarm(`${fn}-throttles`)).to.deep.include({ metricName: 'Throttles', dimensions: { FunctionName: `audio-reconciliation-${stack}-${fn}` } });
      }
      expect(alarm('worker-queue-age')).to.deep.include({ metricName: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: `audio-reconciliation-${stack}-worker` }, threshold: stack === 'dev' ? 1800 : 900 });
    });

    it('draws a dashboard of the same metrics and exports its URL', () => {
      const dash = one(run, 'aws:cloudwatch/dashboard:Dashboard', 'monitoring-dashboard').inputs;
      const body = JSON.parse(String(dash.dashboardBody)) as { widgets: { properties: { title: string; metrics: string[][] } }[] };
      expect(body.widgets.map((w) => w.properties.title)).to.deep.equal([
        'Executions', 'Messages in dead-letter queues', 'Lambda errors', 'Lambda throttles', 'Worker queue', 'Worker CPU and memory',
      ]);
      const sm = String(one(run, 'aws:sfn/stateMachine:StateMachine', 'workflow-state-machine').state.arn);
      expect(body.widgets[0]!.properties.metrics.every((m) => m.includes(sm))).to.equal(true);
      expect(body.widgets[2]!.properties.metrics).to.have.length(FunctionNames.length);
      expect(run.outputs.dashboardUrl).to.equal(
        `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=audio-reconciliation-${stack}-reconciliation`,
      );
    });
  });
}

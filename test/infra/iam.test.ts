import { expect } from 'chai';
import { FunctionNames } from '../../system/functions.ts';
import { WorkflowFunctionNames } from '../../infra/stack.ts';
import { Account } from './support/pulumi-mocks.ts';
import { ofType, stackRun, type ProgramRun } from './support/program.ts';
import { actionsOf, resourcesFor, role, roles } from './support/policies.ts';

/**
 * Actions AWS only authorises on Resource "*": X-Ray writes and sampling, the ECR login token,
 * and the account-level log-delivery APIs Step Functions uses for execution logs.
 */
const RequiresWildcardResource = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'ecr:GetAuthorizationToken',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

/** ARNs of everything the program created: every IAM resource must be one of these or under one. */
function ourArns(run: ProgramRun): string[] {
  return run.resources.map((r) => r.state.arn).filter((a): a is string => typeof a === 'string');
}

/** A resource string is scoped when it is one of our ARNs, or a pattern strictly beneath one. */
function isOurs(resource: string, arns: string[]): boolean {
  return arns.some((arn) => resource === arn || resource === `${arn}:*` || resource === `${arn}:log-stream:*` || (resource.startsWith(`${arn}/`) && resource.length > arn.length + 2));
}

const ocpCallers = ['createExportJob', 'checkExportStatus', 'getExportMetadata'];

for (const stack of ['dev', 'prod'] as const) {
  describe(`infra: IAM (${stack})`, () => {
    let run: ProgramRun;
    before(async function () {
      this.timeout(60_000);
      run = await stackRun(stack);
    });

    it('gives each Lambda, the state machine and the worker their own role', () => {
      expect(roles(run).map((r) => r.name).sort()).to.deep.equal([...FunctionNames, 'worker-execution', 'worker-task', 'workflow'].sort());
    });

    it('has no "*" action and no service-wide wildcard in any statement', () => {
      for (const r of roles(run))
        for (const s of r.statements)
          for (const action of s.Action) {
            expect(action, `${r.name}/${s.Sid}`).to.not.equal('*');
            expect(action, `${r.name}/${s.Sid}`).to.not.match(/^[a-z0-9-]+:\*$/);
            expect(action, `${r.name}/${s.Sid}`).to.match(/^[a-z0-9-]+:[A-Za-z]+$/);
          }
    });

    it('scopes every resource to our own resources, except actions AWS only allows on "*"', () => {
      const arns = ourArns(run);
      for (const r of roles(run))
        for (const s of r.statements) {
          if (s.Resource.includes('*')) {
            expect(s.Resource, `${r.name}/${s.Sid}: "*" must stand alone`).to.deep.equal(['*']);
            for (const action of s.Action) expect(RequiresWildcardResource.has(action), `${r.name}/${s.Sid}: ${action} on "*"`).to.equal(true);
            continue;
          }
          for (const resource of s.Resource) expect(isOurs(resource, arns), `${r.name}/${s.Sid}: ${resource} is not one of ours`).to.equal(true);
        }
    });

    it('lets each role be assumed only by its service, from this account', () => {
      const service = (name: string) => (name === 'workflow' ? 'states.amazonaws.com' : name.startsWith('worker-') ? 'ecs-tasks.amazonaws.com' : 'lambda.amazonaws.com');
      for (const r of roles(run)) {
        expect(r.trust.Statement, r.name).to.have.length(1);
        const [s] = r.trust.Statement;
        expect(s!.Principal).to.deep.equal({ Service: service(r.name) });
        expect(s!.Action).to.equal('sts:AssumeRole');
        expect(s!.Condition).to.deep.equal({ StringEquals: { 'aws:SourceAccount': Account } });
      }
    });

    it('lets the state machine invoke exactly our workflow functions (not the trigger, nothing else)', () => {
      const fnArns = ofType(run, 'aws:lambda/function:Function').filter((f) => f.name !== 'trigger-function').map((f) => String(f.state.arn));
      expect(fnArns).to.have.length(WorkflowFunctionNames.length);
      const invokable = resourcesFor(role(run, 'workflow'), 'lambda:InvokeFunction');
      expect([...new Set(invokable.map((a) => a.replace(/:\*$/, '')))].sort()).to.deep.equal([...fnArns].sort());
      for (const r of roles(run).filter((x) => x.name !== 'workflow')) expect(resourcesFor(r, 'lambda:InvokeFunction'), r.name).to.have.length(0);
    });

    it('lets the state machine write only our table and send only to the failure queue', () => {
      const sm = role(run, 'workflow');
      const table = String(ofType(run, 'aws:dynamodb/table:Table')[0]!.state.arn);
      const failureQueue = String(ofType(run, 'aws:sqs/queue:Queue').find((q) => q.name === 'queues-failure-dlq')!.state.arn);
      for (const action of actionsOf(sm).filter((a) => a.startsWith('dynamodb:'))) expect(resourcesFor(sm, action)).to.deep.equal([table]);
      expect(resourcesFor(sm, 'sqs:SendMessage')).to.deep.equal([failureQueue]);
      for (const action of actionsOf(sm).filter((a) => a.startsWith('sqs:'))) expect(resourcesFor(sm, action)).to.deep.equal([failureQueue]);
      // Whatever the graph adds later, it stays within these services (and their resources above).
      expect([...new Set(actionsOf(sm).map((a) => a.split(':')[0]))].sort()).to.deep.equal(['dynamodb', 'lambda', 'logs', 'sqs', 'xray']);
      expect(actionsOf(sm)).to.include.members(['dynamodb:UpdateItem', 'lambda:InvokeFunction', 'sqs:SendMessage']);
    });

    it('lets only the Lambdas that call OCP read the OCP token', () => {
      const secret = String(ofType(run, 'aws:secretsmanager/secret:Secret')[0]!.state.arn);
      const readers = roles(run).filter((r) => resourcesFor(r, 'secretsmanager:GetSecretValue').length > 0);
      expect(readers.map((r) => r.name).sort()).to.deep.equal([...ocpCallers].sort());
      for (const r of readers) expect(resourcesFor(r, 'secretsmanager:GetSecretValue')).to.deep.equal([secret]);
    });

    it('lets only the trigger start executions, of our state machine only', () => {
      const sm = String(ofType(run, 'aws:sfn/stateMachine:StateMachine')[0]!.state.arn);
      const starters = roles(run).filter((r) => resourcesFor(r, 'states:StartExecution').length > 0);
      expect(starters.map((r) => r.name)).to.deep.equal(['trigger']);
      expect(resourcesFor(starters[0]!, 'states:StartExecution')).to.deep.equal([sm]);
    });

    it('gives the worker task role only its queues, its bucket prefix and the task callbacks', () => {
      const task = role(run, 'worker-task');
      const workerQueue = String(ofType(run, 'aws:sqs/queue:Queue').find((q) => q.name === 'queues-worker')!.state.arn);
      const bucket = String(ofType(run, 'aws:s3/bucket:Bucket')[0]!.state.arn);
      const sm = String(ofType(run, 'aws:sfn/stateMachine:StateMachine')[0]!.state.arn);
      expect(actionsOf(task)).to.deep.equal([
        's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject',
        'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage',
        'states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess',
      ]);
      for (const a of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) expect(resourcesFor(task, a)).to.deep.equal([workerQueue]);
      const workerDlq = String(ofType(run, 'aws:sqs/queue:Queue').find((q) => q.name === 'queues-worker-dlq')!.state.arn);
      expect(resourcesFor(task, 'sqs:SendMessage'), 'malformed tasks go to the worker DLQ only').to.deep.equal([workerDlq]);
      expect(resourcesFor(task, 's3:PutObject')).to.deep.equal([`${bucket}/recordings/*`]);
      for (const a of ['s3:AbortMultipartUpload', 's3:GetObject', 's3:DeleteObject']) expect(resourcesFor(task, a)).to.deep.equal([`${bucket}/recordings/*`]);
      expect(resourcesFor(task, 'states:SendTaskSuccess')).to.deep.equal([sm]);
    });

    it('keeps the worker execution role to pulling its image and writing its logs', () => {
      const exec = role(run, 'worker-execution');
      const repo = String(ofType(run, 'aws:ecr/repository:Repository')[0]!.state.arn);
      expect(resourcesFor(exec, 'ecr:BatchGetImage')).to.deep.equal([repo]);
      expect(actionsOf(exec)).to.deep.equal([
        'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer',
        'logs:CreateLogStream', 'logs:PutLogEvents',
      ]);
    });

    it('gives each Lambda only what its handler touches', () => {
      const table = String(ofType(run, 'aws:dynamodb/table:Table')[0]!.state.arn);
      const queue = (name: string) => String(ofType(run, 'aws:sqs/queue:Queue').find((q) => q.name === name)!.state.arn);
      const logGroup = (fn: string) => String(ofType(run, 'aws:cloudwatch/logGroup:LogGroup').find((g) => g.name === `${fn}-logs`)!.state.arn);
      for (const fn of FunctionNames) {
        const r = role(run, fn);
        expect(resourcesFor(r, 'logs:PutLogEvents'), fn).to.deep.equal([`${logGroup(fn)}:log-stream:*`]);
        const writesRecord = !['trigger', 'getExportMetadata'].includes(fn);
        expect(resourcesFor(r, 'dynamodb:UpdateItem'), fn).to.deep.equal(writesRecord ? [table] : []);
        expect(actionsOf(r).filter((a) => a.startsWith('dynamodb:')), fn).to.deep.equal(writesRecord ? ['dynamodb:GetItem', 'dynamodb:UpdateItem'] : []);
        expect(actionsOf(r).filter((a) => a.startsWith('s3:')), `${fn} never touches the bucket`).to.have.length(0);
      }
      expect(resourcesFor(role(run, 'notifyDownloadService'), 'sqs:SendMessage')).to.deep.equal([queue('queues-worker')]);
      expect(resourcesFor(role(run, 'trigger'), 'sqs:SendMessage')).to.deep.equal([queue('queues-input-dlq')]);
      expect(resourcesFor(role(run, 'trigger'), 'sqs:ReceiveMessage')).to.deep.equal([queue('queues-input')]);
      for (const fn of ['createExportJob', 'checkExportStatus', 'getExportMetadata', 'consolidateReconciliation'])
        expect(resourcesFor(role(run, fn), 'sqs:SendMessage'), fn).to.have.length(0);
    });
  });
}

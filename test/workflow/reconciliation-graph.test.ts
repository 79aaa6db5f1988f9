import { expect } from 'chai';
import validator from 'asl-validator';
import { ErrorNames } from '../../runtime/errors.ts';
import { FailureStatuses } from '../../runtime/status.ts';
import { parseWorkflowConfig, type WorkflowConfig } from '../../workflow/config.ts';
import { FailureStateNames } from '../../workflow/failure-path.ts';
import { StateNames, buildReconciliationWorkflow, reconciliationPermissions, renderReconciliationAsl } from '../../workflow/reconciliation.ts';
import { readStackWorkflowConfig } from '../../workflow/stack-config.ts';
import { synthResources } from '../../workflow/synth-resources.ts';

type Obj = Record<string, unknown>;
type State = Obj & { Type: string; Next?: string; End?: boolean; Catch?: Obj[]; Choices?: Obj[]; Default?: string; Branches?: Obj[] };

const aslOf = (c: WorkflowConfig) => JSON.parse(renderReconciliationAsl(c, synthResources())) as { States: Record<string, State> } & Obj;

interface Edge {
  to: string;
  assign?: Obj;
}

function edges(state: State): Edge[] {
  const out: Edge[] = [];
  if (state.Next) out.push({ to: state.Next, assign: state.Assign as Obj | undefined });
  for (const rule of state.Choices ?? []) out.push({ to: rule.Next as string, assign: rule.Assign as Obj | undefined });
  if (state.Default) out.push({ to: state.Default });
  for (const c of state.Catch ?? []) out.push({ to: c.Next as string, assign: c.Assign as Obj | undefined });
  return out;
}

/** Every path from StartAt that does not repeat a state: a loop is followed once round. */
function paths(states: Record<string, State>, start: string): { names: string[]; edges: Edge[] }[] {
  const out: { names: string[]; edges: Edge[] }[] = [];
  const go = (name: string, names: string[], via: Edge[]) => {
    const here = [...names, name];
    const state = states[name] as State;
    const next = edges(state).filter((e) => !here.includes(e.to));
    if (state.Type === 'Fail' || state.Type === 'Succeed' || state.End) out.push({ names: here, edges: via });
    for (const e of next) go(e.to, here, [...via, e]);
  };
  go(start, [], []);
  return out;
}

const stacks = ['dev', 'prod'] as const;
const policies = ['fixed', 'adaptive'] as const;

describe('reconciliation ASL graph', () => {
  for (const stack of stacks) {
    for (const policy of policies) {
      it(`passes asl-validator for the ${stack} config with the ${policy} policy`, () => {
        const config = { ...readStackWorkflowConfig(stack), pollingPolicy: policy };
        const result = validator(aslOf(config));
        expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
        expect(result.isValid).to.equal(true);
      });
    }
  }

  const asl = aslOf(parseWorkflowConfig({}));
  const states = asl.States;
  const all = paths(states, asl.StartAt as string);

  it('ends every path in the success end or the one Fail state', () => {
    expect(all.length).to.be.greaterThan(10);
    for (const p of all) {
      const last = states[p.names.at(-1) as string] as State;
      const ok = (last.Type === 'Fail' && p.names.at(-1) === FailureStateNames.fail) || last.Type === 'Succeed' || (last.End === true && last.Type !== 'Fail');
      expect(ok, p.names.join(' → ')).to.equal(true);
    }
    const successEnds = new Set(all.filter((p) => (states[p.names.at(-1) as string] as State).Type !== 'Fail').map((p) => p.names.at(-1)));
    expect([...successEnds].sort()).to.deep.equal([StateNames.alreadyReconciled, StateNames.consolidateReconciliation]);
  });

  it('ends a re-run of an already COMPLETED call in its own Succeed state, before any failure route and off the happy path', () => {
    const catches = (states[StateNames.createExportJob] as State).Catch ?? [];
    const caught = catches.findIndex((c) => (c.ErrorEquals as string[]).includes(ErrorNames.AlreadyReconciled));
    expect(catches[caught], 'a catch of its own, not shared with other errors').to.deep.equal({
      ErrorEquals: [ErrorNames.AlreadyReconciled],
      ResultPath: '$.alreadyReconciled',
      Next: StateNames.alreadyReconciled,
    });
    expect(caught).to.be.lessThan(catches.findIndex((c) => (c.ErrorEquals as string[]).includes('States.ALL')));
    expect(states[StateNames.alreadyReconciled]?.Type).to.equal('Succeed');
    const into = all.filter((p) => p.names.includes(StateNames.alreadyReconciled));
    expect(into.map((p) => p.names)).to.deep.equal([[StateNames.createExportJob, StateNames.alreadyReconciled]]);
    const reachedFrom = Object.entries(states).filter(([, st]) => edges(st).some((e) => e.to === StateNames.alreadyReconciled));
    expect(reachedFrom.map(([name]) => name)).to.deep.equal([StateNames.createExportJob]);
  });

  it('gives every Task and Parallel a catch-all; branch tasks are covered by their Parallel', () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task' && state.Type !== 'Parallel') continue;
      const last = (state.Catch ?? []).at(-1);
      expect(last?.ErrorEquals, `${name} catch-all`).to.deep.equal(['States.ALL']);
    }
    const parallel = states[StateNames.downloadAndDescribe] as State;
    const branchTasks = (parallel.Branches ?? []).flatMap((b) => Object.values(b.States as Record<string, State>)).filter((s) => s.Type === 'Task');
    expect(branchTasks).to.have.length(2);
  });

  it('passes a FAILED_* record and the DLQ send before Fail on every failure path', () => {
    const failurePaths = all.filter((p) => p.names.at(-1) === FailureStateNames.fail);
    expect(failurePaths.length).to.be.greaterThan(5);
    for (const p of failurePaths) {
      const record = p.names.indexOf(FailureStateNames.record);
      const dlq = p.names.indexOf(FailureStateNames.notify);
      expect(record, p.names.join(' → ')).to.be.greaterThan(-1);
      expect(dlq).to.equal(record + 1);
      expect(p.names.at(-2)).to.equal(FailureStateNames.notify);
      // The last failure facts assigned before RecordFailure name a FAILED_* status.
      const facts = p.edges
        .slice(0, record)
        .map((e) => (e.assign?.failure as { status?: string } | undefined)?.status)
        .filter((s) => s !== undefined);
      expect(FailureStatuses as readonly string[], p.names.join(' → ')).to.include(facts.at(-1));
    }
  });

  it('bounds the poll loop: every way back into it is guarded by the poll counter, which every check increments', () => {
    const config = parseWorkflowConfig({ maxPolls: 9 });
    const s = aslOf(config).States;
    const choice = s[StateNames.evaluateExportStatus] as State;
    const loopTargets = new Set<string>([StateNames.waitForExport, StateNames.waitAfterStatusError]);
    const intoLoop = (choice.Choices ?? []).filter((r) => loopTargets.has(r.Next as string));
    expect(intoLoop).to.have.length(2);
    for (const rule of intoLoop) {
      expect(rule.And, JSON.stringify(rule)).to.deep.include({ Variable: '$pollCount', NumericLessThan: 9 });
    }
    expect(choice.Default).to.equal(StateNames.flagUnknownStatus);
    const check = s[StateNames.checkExportStatus] as State;
    expect(check.Assign).to.deep.equal({ 'pollCount.$': 'States.MathAdd($pollCount, 1)' });
    expect(check.Catch?.map((c) => c.Assign)).to.deep.equal([{ 'pollCount.$': 'States.MathAdd($pollCount, 1)' }]);
    expect((s[StateNames.createExportJob] as State).Assign).to.deep.include({ pollCount: 0 });
  });

  it('carries the config into the ASL', () => {
    const config = parseWorkflowConfig({
      pollingPolicy: 'fixed',
      pollIntervalSeconds: 123,
      adaptiveMinWaitSeconds: 11,
      adaptiveMaxWaitSeconds: 222,
      maxPolls: 7,
      statusErrorWaitSeconds: 45,
      stateMachineTimeoutSeconds: 7200,
      downloadTimeoutSeconds: 3600,
      heartbeatSeconds: 120,
      durationToleranceSeconds: 2.5,
    });
    const doc = aslOf(config);
    const s = doc.States;
    expect(doc.TimeoutSeconds).to.equal(7200);
    expect(s[StateNames.waitForExport]).to.include({ Seconds: 123 });
    expect(s[StateNames.waitAfterStatusError]).to.include({ Seconds: 45 });
    const notify = ((s[StateNames.downloadAndDescribe] as State).Branches?.[1]?.States as Record<string, State>)[StateNames.notifyDownloadService] as State;
    expect(notify).to.include({ TimeoutSeconds: 3600, HeartbeatSeconds: 120, Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' });
    const waitPolicy = { fixedSeconds: 123, kind: 'fixed', maxSeconds: 222, minSeconds: 11 };
    for (const name of [StateNames.createExportJob, StateNames.checkExportStatus]) {
      expect(((s[name] as State).Parameters as { Payload: Obj }).Payload.waitPolicy).to.deep.equal(waitPolicy);
    }
    const consolidate = (s[StateNames.consolidateReconciliation] as State).Parameters as { Payload: Obj };
    expect(consolidate.Payload.durationToleranceSeconds).to.equal(2.5);
    const rules = JSON.stringify((s[StateNames.evaluateExportStatus] as State).Choices);
    expect(rules).to.contain('"NumericLessThan":7');

    const adaptive = aslOf({ ...config, pollingPolicy: 'adaptive' }).States[StateNames.waitForExport];
    expect(adaptive).to.include({ SecondsPath: '$.nextWaitSeconds' });
    expect(adaptive).not.to.have.property('Seconds');
  });

  it('derives the role permissions from the graph', () => {
    const resources = synthResources();
    const permissions = reconciliationPermissions(parseWorkflowConfig({}), resources);
    const byAction = Object.fromEntries(permissions.map((p) => [p.actions.join(','), p.resources]));
    expect(Object.keys(byAction).sort()).to.deep.equal(['dynamodb:UpdateItem', 'lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(byAction['lambda:InvokeFunction']).to.have.length(10);
    for (const arn of Object.values(resources.functions)) expect(byAction['lambda:InvokeFunction']).to.include.members([arn, `${arn}:*`]);
    expect(byAction['dynamodb:UpdateItem']).to.deep.equal([resources.tableArn]);
    expect(byAction['sqs:SendMessage']).to.deep.equal([resources.failureQueueArn]);
    const { tableArn: _t, ...withoutArn } = resources;
    expect(() => reconciliationPermissions(parseWorkflowConfig({}), withoutArn)).to.throw(/State 'RecordFailure' names '.*-reconciliation' without an ARN/);
  });

  it('renders the same bytes for the same input', () => {
    const config = readStackWorkflowConfig('dev');
    expect(renderReconciliationAsl(config, synthResources())).to.equal(renderReconciliationAsl(config, synthResources()));
    expect(buildReconciliationWorkflow(config, synthResources()).states().map((s) => s.name)).to.have.length(14);
  });
});

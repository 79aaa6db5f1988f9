/** Reads the IAM roles and inline policies a mocked program registered. */
import type { PolicyDocument, PolicyStatement } from '../../../infra/iam.ts';
import { ofType, type ProgramRun } from './program.ts';

export interface RoleUnderTest {
  /** Logical name without the `-role` suffix: a handler name, `workflow`, `worker-task`, `worker-execution`. */
  name: string;
  trust: { Statement: { Effect: string; Principal: { Service: string }; Action: string; Condition?: Record<string, Record<string, string>> }[] };
  statements: PolicyStatement[];
}

export function roles(run: ProgramRun): RoleUnderTest[] {
  const policies = ofType(run, 'aws:iam/rolePolicy:RolePolicy');
  return ofType(run, 'aws:iam/role:Role').map((role) => {
    const name = role.name.replace(/-role$/, '');
    const attached = policies.filter((p) => p.inputs.role === `${role.name}-id`);
    if (attached.length !== 1) throw new Error(`role ${role.name} has ${attached.length} inline policies; every role gets exactly one`);
    const doc = JSON.parse(String(attached[0]!.inputs.policy)) as PolicyDocument;
    return { name, trust: JSON.parse(String(role.inputs.assumeRolePolicy)), statements: doc.Statement };
  });
}

export function role(run: ProgramRun, name: string): RoleUnderTest {
  const found = roles(run).find((r) => r.name === name);
  if (!found) throw new Error(`no role ${name}; roles: ${roles(run).map((r) => r.name).join(', ')}`);
  return found;
}

/** Resources a role may use an action on (union over its statements). */
export function resourcesFor(r: RoleUnderTest, action: string): string[] {
  return [...new Set(r.statements.filter((s) => s.Effect === 'Allow' && s.Action.includes(action)).flatMap((s) => s.Resource))].sort();
}

export function actionsOf(r: RoleUnderTest): string[] {
  return [...new Set(r.statements.flatMap((s) => s.Action))].sort();
}

/**
 * What the state machine's role needs, derived from the graph so the role cannot drift from
 * the definition (as CDK and SST do). infra/ turns these into one IAM policy.
 */
export interface Permission {
  actions: string[];
  resources: string[];
}

/**
 * Merges statements with the same actions, sorts actions and resources, and drops duplicates,
 * so the policy is stable across builds.
 */
export function mergePermissions(permissions: readonly Permission[]): Permission[] {
  const byActions = new Map<string, Set<string>>();
  for (const p of permissions) {
    const key = [...new Set(p.actions)].sort().join(',');
    const resources = byActions.get(key) ?? new Set<string>();
    for (const r of p.resources) resources.add(r);
    byActions.set(key, resources);
  }
  return [...byActions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([actions, resources]) => ({ actions: actions.split(','), resources: [...resources].sort() }));
}

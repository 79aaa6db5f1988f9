/**
 * The reconciliation workflow as the state machine component consumes it: the DSL's ASL and the
 * permissions its graph needs, both from workflow/ for one stack's config.
 */
import type { WorkflowConfig } from '../workflow/config.ts';
import { reconciliationPermissions, renderReconciliationAsl } from '../workflow/reconciliation.ts';
import type { WorkflowRenderer } from './state-machine.ts';

export function reconciliationWorkflow(config: WorkflowConfig): WorkflowRenderer {
  return (resources) => ({
    definition: renderReconciliationAsl(config, resources),
    permissions: reconciliationPermissions(config, resources),
  });
}

/** Shared by the campaign tests. */
import { Client } from '@temporalio/client';
import { workflowIds } from '@app/temporal/names';
import type { TestApi } from '../../support/api';

/**
 * Terminates a test's campaign (its province children and renderer go with it: parent close policy), so it cannot
 * run on into later test files that share the Temporal server and its task queues. Ignores a campaign that never
 * started or has ended.
 */
export async function terminateCampaign(api: TestApi | undefined, year: number): Promise<void> {
  await api?.app
    .get(Client)
    .workflow.getHandle(workflowIds.campaign(year))
    .terminate('test over')
    .catch(() => undefined);
}

/**
 * The worker skeleton end to end on the real dev server: the `registry` worker (prebuilt
 * workflow bundle, activities injected by Nest) runs a workflow whose activity reads
 * PostgreSQL, and reports the search attributes the Temporal UI shows.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { appendAudit } from '@app/persistence';
import { TASK_QUEUES } from '@app/temporal';
import { auditChainCheck } from '../../../workflows/maintenance/audit-chain-check.workflow';
import { requireEnv } from '../../support/env';
import { startWorker } from '../../support/worker';

jest.setTimeout(120_000);

let worker: INestApplicationContext;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  worker = await startWorker();
  connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
  client = new Client({ connection });
});

afterAll(async () => {
  await worker?.close();
  await connection?.close();
});

it('runs a workflow on the registry queue whose activity verifies the audit chain in PostgreSQL', async () => {
  const ds = worker.get(DataSource);
  await ds.transaction((m) =>
    appendAudit(m, {
      actorType: 'system',
      actorId: null,
      actorLabel: 'worker-test',
      action: 'test.event',
      subjectType: 'test',
      subjectId: 'worker',
      provinceCode: null,
      detail: { n: 1 },
    }),
  );
  const result = await client.workflow.execute(auditChainCheck, {
    taskQueue: TASK_QUEUES.registry,
    workflowId: `audit-chain-check-${Date.now()}`,
  });
  expect(result.ok).toBe(true);
  expect(result.checked).toBeGreaterThanOrEqual(1);
});

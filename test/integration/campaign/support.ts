/** Shared by the campaign tests. */
import { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { snapshotOf } from '@app/activities/certificates/certificate.activities';
import type { Member } from '@app/persistence';
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

/**
 * A member's e-certificate version as a finished issuance leaves it (status `active` by default, no file): the
 * snapshot the campaign copies into its reissue.
 */
export async function insertCertificate(
  ds: DataSource,
  member: Member,
  options: { photoBlobKey: string; version?: number; status?: 'active' | 'pending' },
): Promise<void> {
  const version = options.version ?? 1;
  await ds.query(
    `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id, issued_at)
     VALUES ($1, $2, $3, 'firstIssue', $4::jsonb, $5, now())`,
    [
      member.certificateNo,
      version,
      options.status ?? 'active',
      JSON.stringify(
        snapshotOf(member, {
          version,
          latestInspection: { year: 2024, passedOn: '2024-05-01' },
          photoBlobKey: options.photoBlobKey,
          issuedOn: '2024-06-01',
        }),
      ),
      workflowIds.certificate(member.certificateNo, version),
    ],
  );
}

/** A member's inspection result for `year`; a pass is dated `passedOn` (default June 10th of that year). */
export async function insertInspection(
  ds: DataSource,
  member: Member,
  year: number,
  result: 'passed' | 'failed' | 'exempt',
  passedOn: string | null = result === 'passed' ? `${year}-06-10` : null,
): Promise<void> {
  await ds.query(
    `INSERT INTO inspections (member_id, year, result, passed_on, source) VALUES ($1, $2, $3, $4, 'seed')`,
    [member.id, year, result, passedOn],
  );
}

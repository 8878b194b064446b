/**
 * certificateIssuance with mocked activities on a dev server of its own (real binary, search attributes
 * registered): the order of the steps, refusals, retries and the progress the Temporal UI shows (R17, R20).
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '@app/temporal/names';
import { TEMPORAL_CLI } from '../../scripts/lib/services';
import { requireEnv } from '../support/env';
import { closeAll } from '../support/open-resources';
import { createLocalEnv } from '../support/temporal';
import { runScenario } from './fixtures/certificate-issuance.scenarios';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createLocalEnv({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_CLI() },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
  });
});

afterAll(() => closeAll());

const run = (name: Parameters<typeof runScenario>[4]) =>
  runScenario(env.nativeConnection, env.client, env.namespace ?? 'default', requireEnv('WORKFLOW_BUNDLE_PATH'), name);

it('snapshots, checks the fonts, creates the version, renders, activates and notifies, in that order', async () => {
  const { result, calls, handle, progress } = await run('issued');
  expect(result).toMatchObject({ ok: true, value: { version: 1, status: 'active', pdfSha256: 'b'.repeat(64) } });
  expect(calls).toEqual([
    'loadIssuanceSnapshot',
    'checkPrintable',
    'createVersion',
    'renderCertificate',
    'activateVersion',
    'notifyMember',
  ]);
  const description = await handle.describe();
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.stage)).toBe('done');
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.province)).toBe('11');
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.memberNo)).toBe('110000000042');
  expect(progress).toMatchObject({ stage: 'done', stageLabel: '已完成', pdfSha256: 'b'.repeat(64) });
});

it('refuses an unprintable name before any version exists, failing with the Chinese message', async () => {
  const { result, calls, handle } = await run('unprintable');
  expect(result.ok).toBe(false);
  const error = (result as { error: unknown }).error;
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toContain('U+30000');
  expect(calls).toEqual(['loadIssuanceSnapshot', 'checkPrintable']);
  expect((await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.stage)).toBe('refused');
});

it('retries a failed render without creating the version twice', async () => {
  const { result, calls } = await run('renderRetried');
  expect(result.ok).toBe(true);
  expect(calls.filter((c) => c === 'renderCertificate')).toHaveLength(2);
  expect(calls.filter((c) => c === 'createVersion')).toHaveLength(1);
});

it('does not notify when a newer version was activated first', async () => {
  const { result, calls } = await run('supersededOnArrival');
  expect(result).toMatchObject({ ok: true, value: { version: 2, status: 'superseded' } });
  expect(calls).not.toContain('notifyMember');
});

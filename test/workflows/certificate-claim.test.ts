/**
 * certificateClaim with its photoVerification and certificateIssuance children on the time-skipping test server,
 * with in-memory activities: every photo route (R7), fallback to on-site, data confirmation (R8), withdrawal.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { claimProgressQuery } from '../../workflows/certificate-claim/certificate-claim.messages';
import { photoProgressQuery } from '../../workflows/photo-verification/photo-verification.messages';
import { closeAll } from '../support/open-resources';
import { createTimeSkippingEnv } from '../support/temporal';
import { CLAIM_SCENARIOS, claimWorkers, runClaimScenario } from './certificate-claim.scenarios';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let serial = 0;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});

afterAll(() => closeAll());

async function run(name: string) {
  const scenario = CLAIM_SCENARIOS.find((s) => s.name === name)!;
  const certificateNo = `1100000${String(++serial).padStart(5, '0')}`;
  const taskQueue = `claim-${name}`;
  const workers = await claimWorkers(env.nativeConnection, env.namespace ?? 'default', taskQueue, scenario);
  return workers.runUntil(
    (async () => {
      const done = await runClaimScenario(env.client, taskQueue, scenario, certificateNo, (ms) => env.sleep(ms));
      const claim = await env.client.workflow.getHandle(done.claimId).query(claimProgressQuery);
      const photo = await env.client.workflow.getHandle(done.photoId).query(photoProgressQuery);
      return { ...done, claim, photo, calls: workers.calls };
    })(),
  );
}

it('R7a: the exam photo is adopted, the member confirms, the certificate is issued without staff', async () => {
  const { result, calls, claim } = await run('exam-photo-issued');
  expect(result).toEqual({ stage: 'issued', certificateVersion: 1, reason: null });
  expect(calls).toContain('adoptExamPhoto');
  expect(calls).not.toContain('openOnSiteTask');
  expect(calls.filter((c) => c.startsWith('claim:'))).toEqual([
    'claim:photo',
    'claim:confirm',
    'claim:issuing',
    'claim:issued',
  ]);
  expect(calls).toEqual(expect.arrayContaining(['createVersion', 'renderCertificate', 'activateVersion']));
  expect(claim).toMatchObject({ stage: 'issued', route: 'examPhoto', photoWorkflowId: expect.stringMatching(/-1$/) });
});

it('R7a: a member not eligible for the exam photo is refused with the reason, nothing issued', async () => {
  const { result, calls } = await run('exam-photo-refused');
  expect(result).toEqual({ stage: 'refused', certificateVersion: null, reason: expect.stringContaining('2010') });
  expect(calls).not.toContain('createVersion');
});

it('R7b: a matching comparison accepts the upload', async () => {
  const { result, calls, photo } = await run('comparison-match');
  expect(result.stage).toBe('issued');
  expect(calls).toEqual(expect.arrayContaining(['comparePhoto', 'acceptPhoto']));
  expect(photo).toMatchObject({ stage: 'accepted', route: 'comparison', fallback: null });
});

it.each([
  ['comparison-no-match-on-site', 'noMatch'],
  ['comparison-timeout-on-site', 'timeout'],
  ['comparison-unavailable-on-site', 'unavailable'],
])('R7c: %s falls back to on site (%s), staff approve, the certificate is issued', async (name, cause) => {
  const { result, calls, photo, claim } = await run(name);
  expect(result.stage).toBe('issued');
  expect(calls).toEqual(expect.arrayContaining([`fallback:${cause}`, 'openOnSiteTask', 'onSite:approve']));
  expect(calls).not.toContain('acceptPhoto');
  expect(photo).toMatchObject({ stage: 'accepted', route: 'onSite', requestedRoute: 'comparison', fallback: cause });
  expect(claim).toMatchObject({ route: 'onSite', fallback: cause });
});

it('R7c: with comparison not available the upload goes to on-site review; a rejection ends the claim', async () => {
  const { result, calls } = await run('comparison-off-rejected');
  expect(result).toEqual({ stage: 'photoRejected', certificateVersion: null, reason: '本人与身份证照片不符' });
  expect(calls).not.toContain('comparePhoto');
  expect(calls).toEqual(expect.arrayContaining(['fallback:notAvailable', 'openOnSiteTask', 'onSite:reject']));
});

it('withdrawing the claim during on-site verification cancels the task and ends the claim cancelled', async () => {
  const { result, calls, photo } = await run('on-site-cancelled');
  expect(result).toMatchObject({ stage: 'cancelled' });
  expect(calls).toContain('cancelOnSiteTask');
  expect(calls).not.toContain('createVersion');
  expect(photo.stage).toBe('cancelled');
});

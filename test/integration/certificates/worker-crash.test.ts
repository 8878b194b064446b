/**
 * R17: a worker killed (SIGKILL, no shutdown) in the middle of rendering leaves one version and one file. The
 * worker runs as a child process (the real WorkerModule from source, test/support/worker-child.ts) against a
 * Temporal dev server of this test's own, so no other test's worker can pick up its tasks, and a blob folder of
 * its own, so the PDFs in it can be counted. A second worker process then finishes the workflow.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { Certificate, dataSourceOptions } from '@app/persistence';
import { startTemporal, type TemporalHandle } from '../../../scripts/lib/services';
import { requireEnv } from '../../support/env';
import { WorkerProcesses } from '../../support/worker-process';
import { createMemberWithPhoto, run } from './support';

jest.setTimeout(240_000);

let temporal: TemporalHandle;
let ds: DataSource;
let dir: string;
const workers = new WorkerProcesses();

async function pdfFilesIn(blobDir: string): Promise<string[]> {
  const files = (await readdir(blobDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const pdfs: string[] = [];
  for (const f of files) {
    const file = path.join(f.parentPath, f.name);
    if ((await readFile(file)).subarray(0, 5).toString() === '%PDF-') pdfs.push(file);
  }
  return pdfs;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'worker-crash-'));
  temporal = await startTemporal({ logFile: path.join(dir, 'temporal.log') });
  ds = new DataSource(dataSourceOptions(requireEnv('DATABASE_URL')));
  await ds.initialize();
});

afterAll(async () => {
  await workers.close();
  await Promise.allSettled([temporal?.stop(), ds?.destroy()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a worker killed during rendering leaves one version and one file once another worker finishes (R17)', async () => {
  const blobDir = path.join(dir, 'blobs');
  const env = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    BLOB_DIR: blobDir,
    RENDER_POOL_SIZE: '1',
    SESSION_SECRET: 'x'.repeat(40),
    LOG_LEVEL: 'warn',
  };
  const member = await createMemberWithPhoto(ds, blobDir, '11', { name: '崩溃测试' });
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    const hanging = workers.start({ ...env, HANG_AFTER_RENDER: '1' }, `RENDERED ${member.certificateNo} v1`);
    const handle = await client.workflow.start('certificateIssuance', {
      taskQueue: 'registry',
      workflowId: `certificate-${member.certificateNo}-v1`,
      args: [
        {
          certificateNo: member.certificateNo,
          version: 1,
          reason: 'firstIssue',
          requestedBy: { actorType: 'system', actorId: null, actorLabel: 'worker-crash-test' },
        },
      ],
    });
    // The first worker has rendered the PDF and is inside the render activity: kill it there.
    await workers.kill(await hanging);
    expect(await pdfFilesIn(blobDir)).toHaveLength(0);
    const pending = await ds.getRepository(Certificate).find({ where: { certificateNo: member.certificateNo } });
    expect(pending.map((r) => [r.version, r.status, r.pdfBlobKey])).toEqual([[1, 'pending', null]]);

    await workers.start(env, 'WORKER READY');
    const result = await handle.result();
    expect(result).toMatchObject({ version: 1, status: 'active' });

    const rows = await ds.getRepository(Certificate).find({ where: { certificateNo: member.certificateNo } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 1, status: 'active', pdfSha256: result.pdfSha256 });
    const pdfs = await pdfFilesIn(blobDir);
    expect(pdfs).toHaveLength(1);
    expect(path.basename(pdfs[0])).toBe(rows[0].pdfBlobKey);
    expect(run('pdfsig', [pdfs[0]]).stdout).toContain('Signature is Valid');
    // The render activity ran twice (the killed attempt and the one that finished), the version was made once.
    const history = await handle.fetchHistory();
    const renderAttempts = history.events!.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'renderCertificate',
    );
    expect(renderAttempts).toHaveLength(1);
    const completed = history.events!.find(
      (e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt! > 1,
    );
    expect(completed).toBeDefined();
  } finally {
    await connection.close();
  }
});

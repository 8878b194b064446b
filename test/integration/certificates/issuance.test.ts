/**
 * Certificate issuance and verification end to end (R1, R2, R9, R10, R17, R20): the real API and worker, Temporal
 * dev server, PostgreSQL and Chromium; third-party tools check the output (pdfsig, pdftotext, pdftoppm + zbarimg).
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditEvent, Certificate, Inspection, Member, Notification, Transfer } from '@app/persistence';
import { SEARCH_ATTRIBUTES } from '@app/temporal';
import { progressQuery } from '@app/workflows/certificate-issuance/certificate-issuance.messages';
import { createMember } from '../../factories/accounts';
import { readJson, Session, startApi, type TestApi } from '../../support/api';
import { requireEnv } from '../../support/env';
import { startWorker } from '../../support/worker';
import { createMemberWithPhoto, memberSession, pdfUpload, run, scanQr, staffSession, tamper } from './support';

jest.setTimeout(180_000);

let api: TestApi;
let worker: INestApplicationContext;
let connection: Connection;
let client: Client;
let dir: string;
let beijing: Session;
let national: Session;

beforeAll(async () => {
  [api, worker] = await Promise.all([startApi(), startWorker()]);
  connection = await Connection.connect({ address: requireEnv('TEMPORAL_ADDRESS') });
  client = new Client({ connection });
  dir = await mkdtemp(path.join(tmpdir(), 'issuance-it-'));
  beijing = (await staffSession(api.baseUrl, api.dataSource, 'provincialAdmin', '11')).session;
  national = (await staffSession(api.baseUrl, api.dataSource, 'nationalAdmin', null)).session;
});

afterAll(async () => {
  await Promise.allSettled([api?.close(), worker?.close(), connection?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const newMember = (province = '11', overrides: Partial<Member> = {}) =>
  createMemberWithPhoto(api.dataSource, api.config.storage.blobDir, province, overrides);

/** Starts issuance through the API and waits for the workflow to finish. */
async function issue(session: Session, certificateNo: string, reason = 'firstIssue') {
  const response = await session.post(`/api/certificates/${certificateNo}/issue`, { reason });
  const body = await readJson(response);
  if (response.status !== 202) throw new Error(`issue: ${response.status} ${JSON.stringify(body)}`);
  const result = await client.workflow.getHandle(body.workflowId).result();
  return { ...body, result };
}

async function download(session: Session, certificateNo: string, version?: number): Promise<Buffer> {
  const response = await session.get(`/api/certificates/${certificateNo}/pdf${version ? `?version=${version}` : ''}`);
  if (response.status !== 200) throw new Error(`download: ${response.status} ${await response.text()}`);
  return Buffer.from(await response.arrayBuffer());
}

async function save(name: string, data: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, data);
  return file;
}

/** The verification path + query printed in the QR code of a PDF, checked against the configured public host. */
async function qrPathOf(pdf: Buffer, name: string): Promise<string> {
  const url = scanQr(await save(`${name}.pdf`, pdf), path.join(dir, name));
  expect(url.startsWith(`${api.config.api.publicBaseUrl}/v/`)).toBe(true);
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

const auditRows = (action: string, subjectId?: string) =>
  api.dataSource.getRepository(AuditEvent).find({ where: { action, ...(subjectId ? { subjectId } : {}) } });

describe('certificateIssuance workflow through the API (R1, R9, R17, R20)', () => {
  it('issues a sealed PDF that pdfsig validates, activates it, notifies the member and audits each step', async () => {
    const member = await newMember('11', { name: '欧阳明远' });
    await api.dataSource.getRepository(Inspection).save({
      memberId: member.id,
      year: 2024,
      result: 'passed',
      passedOn: '2025-04-30',
      source: 'seed',
    });
    const { version, workflowId, result } = await issue(beijing, member.certificateNo);
    expect(version).toBe(1);
    expect(workflowId).toBe(`certificate-${member.certificateNo}-v1`);
    expect(result).toMatchObject({ status: 'active', supersededVersion: null });

    const rows = await api.dataSource
      .getRepository(Certificate)
      .find({ where: { certificateNo: member.certificateNo } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'active', reason: 'firstIssue', pdfSha256: result.pdfSha256 });
    expect(rows[0].snapshot).toMatchObject({
      name: '欧阳明远',
      latestInspection: { year: 2024, passedOn: '2025-04-30' },
    });

    const pdf = await download(beijing, member.certificateNo);
    const file = await save('issued.pdf', pdf);
    const sig = run('pdfsig', [file]).stdout;
    expect(sig).toContain('Signature Validation: Signature is Valid.');
    expect(sig).toContain('Signer Certificate Common Name: 中国注册会计师协会电子印章(开发)');
    const text = run('pdftotext', ['-layout', file, '-']).stdout;
    expect(text).toMatch(/第\s*1\s*版/);
    for (const printed of ['欧阳明远', member.certificateNo, member.approvalDocNo, '北京注册会计师协会', '2024年度']) {
      expect(text).toContain(printed);
    }

    // R20: readable id, search attributes and progress for the Temporal UI.
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.province)).toBe('11');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.memberNo)).toBe(member.certificateNo);
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.stage)).toBe('done');
    expect(await handle.query(progressQuery)).toMatchObject({ stage: 'done', pdfSha256: result.pdfSha256 });

    const mails = await api.dataSource.getRepository(Notification).find({ where: { memberId: member.id } });
    expect(mails.map((m) => m.dedupeKey)).toContain(`certificate-issued:${member.certificateNo}:v1`);
    const subject = `${member.certificateNo}-v1`;
    expect(await auditRows('certificate.issue.request', subject)).toHaveLength(1);
    expect(await auditRows('certificate.issue', subject)).toHaveLength(1);
    expect(await auditRows('certificate.download', subject)).toHaveLength(1);
  });

  it('a changed byte fails pdfsig (digest mismatch) and the upload check says altered; the original says genuine (R9)', async () => {
    const member = await newMember('11');
    await issue(beijing, member.certificateNo);
    const pdf = await download(beijing, member.certificateNo);
    const altered = tamper(pdf);
    const sig = run('pdfsig', [await save('altered.pdf', altered)]).stdout;
    expect(sig).toContain('Digest Mismatch');
    expect(sig).not.toContain('Signature is Valid');

    const check = async (data: Buffer) =>
      readJson(await fetch(`${api.baseUrl}/api/verify/pdf`, { method: 'POST', body: pdfUpload(data) }));
    expect(await check(altered)).toMatchObject({ verdict: 'altered', signatureValid: false, identicalToIssued: false });
    expect(await check(pdf)).toMatchObject({
      verdict: 'genuine',
      signatureValid: true,
      signedByOurSeal: true,
      identicalToIssued: true,
      certificateNo: member.certificateNo,
      version: 1,
      status: 'active',
    });

    // The page form says the same in Chinese; a file that is no PDF is refused with a message.
    const page = await fetch(`${api.baseUrl}/verify/pdf`, { method: 'POST', body: pdfUpload(altered) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('签章后被修改过');
    const notPdf = await fetch(`${api.baseUrl}/api/verify/pdf`, {
      method: 'POST',
      body: pdfUpload(Buffer.from('hello')),
    });
    expect(notPdf.status).toBe(415);
    expect((await readJson(notPdf)).message).toContain('不是 PDF');
  });

  it('the printed QR code leads to a page saying valid; after a reissue the old one says superseded (R2)', async () => {
    const member = await newMember('11', { name: '阿依古丽·买买提' });
    await issue(beijing, member.certificateNo);
    const firstPdf = await download(beijing, member.certificateNo);
    const firstQr = await qrPathOf(firstPdf, 'qr-v1');

    const valid = await fetch(api.baseUrl + firstQr);
    expect(valid.status).toBe(200);
    const validHtml = await valid.text();
    expect(validHtml).toContain('data-status="valid"');
    expect(validHtml).toContain('阿依古丽·买买提');
    expect(validHtml).toContain(member.approvalDocNo);
    const photo = await fetch(`${api.baseUrl}${firstQr.replace('?', '/photo?')}`);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');

    const { version, result } = await issue(national, member.certificateNo, 'reissue');
    expect(version).toBe(2);
    expect(result).toMatchObject({ status: 'active', supersededVersion: 1 });
    const secondQr = await qrPathOf(await download(beijing, member.certificateNo), 'qr-v2');
    expect(secondQr).not.toBe(firstQr);

    const old = await (await fetch(api.baseUrl + firstQr)).text();
    expect(old).toContain('data-status="superseded"');
    expect(old).toContain('已被第 2 版取代');
    const oldJson = await readJson(await fetch(`${api.baseUrl}/api${firstQr.replace('/v/', '/verify/')}`));
    expect(oldJson).toMatchObject({ status: 'superseded', version: 1, currentVersion: 2 });
    expect((await readJson(await fetch(`${api.baseUrl}/api${secondQr.replace('/v/', '/verify/')}`))).status).toBe(
      'valid',
    );

    // The upload check of the old file: genuine seal, identical to version 1, which is now superseded.
    const upload = await readJson(
      await fetch(`${api.baseUrl}/api/verify/pdf`, { method: 'POST', body: pdfUpload(firstPdf) }),
    );
    expect(upload).toMatchObject({ verdict: 'genuine', version: 1, status: 'superseded' });
    const versions = await readJson(await beijing.get(`/api/certificates/${member.certificateNo}/versions`));
    expect(versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [2, 'active'],
      [1, 'superseded'],
    ]);
  });

  it('a forged or missing token shows nothing personal, the same for numbers that exist and that do not (R2)', async () => {
    const member = await newMember('11', { name: '隐私测试' });
    await issue(beijing, member.certificateNo);
    const qr = await qrPathOf(await download(beijing, member.certificateNo), 'qr-forge');
    const token = new URL(qr, 'http://x').searchParams.get('t')!;
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;
    const otherVersion = token.replace(/^1\./, '2.');
    const unknownNo = '119999999999';

    const answers = [];
    for (const pathAndQuery of [
      `/v/${member.certificateNo}`,
      `/v/${member.certificateNo}?t=${forged}`,
      `/v/${member.certificateNo}?t=${otherVersion}`,
      `/v/${unknownNo}?t=${token}`,
      `/v/${unknownNo}`,
    ]) {
      const response = await fetch(api.baseUrl + pathAndQuery);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('data-status="invalidToken"');
      expect(html).not.toContain('隐私测试');
      expect(html).not.toContain(member.approvalDocNo);
      answers.push(await readJson(await fetch(`${api.baseUrl}/api${pathAndQuery.replace('/v/', '/verify/')}`)));
    }
    // Byte-identical JSON whether or not the number exists: nothing to tell them apart.
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ status: 'invalidToken', member: null, certificateNo: null });
    expect((await fetch(`${api.baseUrl}/v/${member.certificateNo}/photo?t=${forged}`)).status).toBe(404);
  });

  it('masks date of birth, mobile and e-mail for the public; shows them in full to entitled staff, audited (R2)', async () => {
    const member = await newMember('11', {
      mobile: '13912345678',
      dateOfBirth: '1985-07-21',
      email: 'ouyang@example.com',
    });
    await api.dataSource.getRepository(Transfer).save({
      memberId: member.id,
      fromProvince: '31',
      toProvince: '11',
      transferredOn: '2022-05-01',
      approvalDocNo: null,
    });
    await issue(beijing, member.certificateNo);
    const qr = await qrPathOf(await download(beijing, member.certificateNo), 'qr-mask');
    const jsonPath = `/api${qr.replace('/v/', '/verify/')}`;
    const fullViews = async () => (await auditRows('member.view.full', member.id)).length;

    const anonymous = await readJson(await fetch(api.baseUrl + jsonPath));
    expect(anonymous).toMatchObject({ status: 'valid', fullView: false });
    expect(anonymous.member).toMatchObject({
      mobile: '139****5678',
      dateOfBirth: '1985-**-**',
      email: 'o***@example.com',
      transfers: [{ transferredOn: '2022-05-01', from: '上海市注册会计师协会', to: '北京注册会计师协会' }],
    });
    const publicPage = await (await fetch(api.baseUrl + qr)).text();
    expect(publicPage).toContain('139****5678');
    expect(publicPage).not.toContain('13912345678');
    expect(await fullViews()).toBe(0);

    const shanghai = (await staffSession(api.baseUrl, api.dataSource, 'provincialReviewer', '31')).session;
    const other = await readJson(await shanghai.get(jsonPath));
    expect(other.fullView).toBe(false);
    expect(other.member.mobile).toBe('139****5678');
    expect(await fullViews()).toBe(0);

    const own = await readJson(await beijing.get(jsonPath));
    expect(own.fullView).toBe(true);
    expect(own.member).toMatchObject({ mobile: '13912345678', dateOfBirth: '1985-07-21', email: 'ouyang@example.com' });
    expect(await fullViews()).toBe(1);
    const page = await (await national.get(qr)).text();
    expect(page).toContain('13912345678');
    expect(page).toContain('本次查看已记入审计日志');
    const rows = await auditRows('member.view.full', member.id);
    expect(rows).toHaveLength(2);
    expect(rows[0].detail).toMatchObject({ certificateNo: member.certificateNo, version: 1, via: 'verification' });
  });

  it('national staff revoke a version with a reason and verification shows it at once; others may not', async () => {
    const member = await newMember('11');
    await issue(beijing, member.certificateNo);
    const qr = await qrPathOf(await download(beijing, member.certificateNo), 'qr-revoke');
    const url = `/api/certificates/${member.certificateNo}/versions/1/revoke`;

    expect((await beijing.post(url, { reason: '证书信息有误' })).status).toBe(403);
    const noReason = await national.post(url, {});
    expect(noReason.status).toBe(400);
    expect((await readJson(noReason)).message).toContain('吊销原因');
    const revoked = await national.post(url, { reason: '会员资格被取消' });
    expect(revoked.status).toBe(200);
    expect(await readJson(revoked)).toMatchObject({ status: 'revoked', revokeReason: '会员资格被取消' });
    expect((await national.post(url, { reason: '再次吊销' })).status).toBe(409);

    const html = await (await fetch(api.baseUrl + qr)).text();
    expect(html).toContain('data-status="revoked"');
    expect(html).toContain('会员资格被取消');
    expect(await auditRows('certificate.revoke', `${member.certificateNo}-v1`)).toHaveLength(1);
    // No valid certificate left to download.
    expect((await beijing.get(`/api/certificates/${member.certificateNo}/pdf`)).status).toBe(404);
  });

  it('a suspended member shows as such on verification', async () => {
    const member = await newMember('11');
    await issue(beijing, member.certificateNo);
    const qr = await qrPathOf(await download(beijing, member.certificateNo), 'qr-suspend');
    await api.dataSource.getRepository(Member).update({ id: member.id }, { status: 'suspended' });
    const answer = await readJson(await fetch(`${api.baseUrl}/api${qr.replace('/v/', '/verify/')}`));
    expect(answer.status).toBe('suspended');
    // Their paper certificate is not "valid" either: the line must not contradict the verdict.
    expect(answer.member.paperCertificate).toEqual({
      status: 'valid',
      voidedOn: null,
      label: '会员资格已暂停或注销，不能作为有效会员证明',
    });
  });

  it('shows the paper certificate: valid; void from the date the campaign voided it (Beijing); nothing if none (R2, R11)', async () => {
    // Heilongjiang and campaign year 2086: no other test file has campaign rows there.
    const year = 2086;
    const member = await newMember('23', { name: '纸证测试', joinedOn: '2016-03-01', paperCertificate: 'valid' });
    await issue(national, member.certificateNo);
    const qr = await qrPathOf(await download(national, member.certificateNo), 'qr-paper');
    const jsonPath = `/api${qr.replace('/v/', '/verify/')}`;
    const line = (html: string) =>
      /<dt>纸质非执业会员证<\/dt><dd data-field="paperCertificate" data-paper="(\w+)">([^<]*)</.exec(html);

    expect((await readJson(await fetch(api.baseUrl + jsonPath))).member.paperCertificate).toEqual({
      status: 'valid',
      voidedOn: null,
      label: '有效',
    });
    expect(line(await (await fetch(api.baseUrl + qr)).text())?.slice(1)).toEqual(['valid', '有效']);

    // The deadline as the campaign runs it (voidPaperCertificates): 2086-12-31 00:00 Beijing is 12-30 16:00 UTC, so a
    // date taken in UTC would be a day early.
    await api.dataSource.query(
      `INSERT INTO campaign_provinces (campaign_year, province_code, status, workflow_id) VALUES ($1, '23', 'completed', $2)`,
      [year, `campaign-${year}-23`],
    );
    await api.dataSource.query(
      `INSERT INTO campaign_members (campaign_year, member_id, province_code, inspection, invited, paper_voided_at)
       VALUES ($1, $2, '23', 'passed', false, '2086-12-30T16:00:00Z')`,
      [year, member.id],
    );
    await api.dataSource.getRepository(Member).update({ id: member.id }, { paperCertificate: 'void' });
    const voided = await readJson(await fetch(api.baseUrl + jsonPath));
    expect(voided.status).toBe('valid');
    expect(voided.member.paperCertificate).toEqual({
      status: 'void',
      voidedOn: '2086-12-31',
      label: '已作废（自 2086年12月31日 起以电子证书为准）',
    });
    const page = await (await fetch(api.baseUrl + qr)).text();
    expect(line(page)?.slice(1)).toEqual(['void', '已作废（自 2086年12月31日 起以电子证书为准）']);

    // Without a valid token nothing personal, the paper's state included, and the same answer as for any number.
    const token = new URL(qr, 'http://x').searchParams.get('t')!;
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;
    const refused = await (await fetch(`${api.baseUrl}/v/${member.certificateNo}?t=${forged}`)).text();
    expect(refused).toContain('data-status="invalidToken"');
    expect(refused).not.toContain('纸质非执业会员证');
    expect(await readJson(await fetch(`${api.baseUrl}/api/verify/${member.certificateNo}?t=${forged}`))).toEqual(
      await readJson(await fetch(`${api.baseUrl}/api/verify/119999999999?t=${forged}`)),
    );

    // Admitted from 2021 (no paper certificate): no line at all.
    await api.dataSource.getRepository(Member).update({ id: member.id }, { paperCertificate: 'none' });
    expect((await readJson(await fetch(api.baseUrl + jsonPath))).member.paperCertificate).toBeNull();
    expect(await (await fetch(api.baseUrl + qr)).text()).not.toContain('纸质非执业会员证');
  });

  it('prints a name containing markup as text, in the PDF and on the verification page (R1)', async () => {
    const member = await newMember('11', { name: '张<script>alert(1)</script>' });
    await issue(beijing, member.certificateNo);
    const pdf = await download(beijing, member.certificateNo);
    const text = run('pdftotext', ['-layout', await save('markup.pdf', pdf), '-']).stdout;
    expect(text).toContain('张<script>alert(1)</script>');
    const html = await (await fetch(api.baseUrl + (await qrPathOf(pdf, 'qr-markup')))).text();
    expect(html).toContain('张&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('refuses a name with a character that no installed font has, with a clear message, storing nothing (R1)', async () => {
    const member = await newMember('11', { name: '张\u{30000}' });
    const response = await beijing.post(`/api/certificates/${member.certificateNo}/issue`, { reason: 'firstIssue' });
    expect(response.status).toBe(422);
    const body = await readJson(response);
    expect(body.code).toBe('UNPRINTABLE_CHARACTER');
    expect(body.message).toContain('U+30000');
    expect(body.message).toContain('不予签发');
    expect(
      await api.dataSource.getRepository(Certificate).count({ where: { certificateNo: member.certificateNo } }),
    ).toBe(0);
    expect(await auditRows('certificate.issue.request', `${member.certificateNo}-v1`)).toHaveLength(0);
  });

  it('a rare character of CJK extension B prints (fallback font) instead of being refused', async () => {
    const member = await newMember('11', { name: '李\u{2A6A5}' });
    await issue(beijing, member.certificateNo);
    const text = run('pdftotext', [
      '-layout',
      await save('rare.pdf', await download(beijing, member.certificateNo)),
      '-',
    ]).stdout;
    expect(text).toContain('李\u{2A6A5}');
  });

  it('the workflow itself refuses an unprintable name (another starter than the API), failing with the message', async () => {
    const member = await newMember('11', { name: '王\u{30000}' });
    const handle = await client.workflow.start('certificateIssuance', {
      taskQueue: 'registry',
      workflowId: `certificate-${member.certificateNo}-v1`,
      args: [
        {
          certificateNo: member.certificateNo,
          version: 1,
          reason: 'firstIssue',
          requestedBy: { actorType: 'system', actorId: null, actorLabel: 'test' },
        },
      ],
    });
    const failure = await handle.result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String((failure as WorkflowFailedError).cause?.message)).toContain('U+30000');
    expect(
      await api.dataSource.getRepository(Certificate).count({ where: { certificateNo: member.certificateNo } }),
    ).toBe(0);
  });

  it('refuses issuance for members of another province, without a verified photo, or with the wrong reason', async () => {
    const shanghaiMember = await newMember('31');
    expect(
      (await beijing.post(`/api/certificates/${shanghaiMember.certificateNo}/issue`, { reason: 'firstIssue' })).status,
    ).toBe(403);
    const noPhoto = await createMember(api.dataSource, '11');
    const refused = await beijing.post(`/api/certificates/${noPhoto.certificateNo}/issue`, { reason: 'firstIssue' });
    expect(refused.status).toBe(409);
    expect((await readJson(refused)).message).toContain('照片');
    const wrongReason = await beijing.post(
      `/api/certificates/${shanghaiMember.certificateNo.replace(/^31/, '11')}/issue`,
      {
        reason: 'nonsense',
      },
    );
    expect(wrongReason.status).toBe(400);
  });
});

describe('downloads (R1 re-downloadable, R10 institutes)', () => {
  it('the member downloads the current certificate; institutes only their province, one or many (zip); all audited', async () => {
    const a = await newMember('11');
    const b = await newMember('11');
    const c = await newMember('31');
    for (const m of [a, b]) await issue(beijing, m.certificateNo);
    await issue(national, c.certificateNo);

    const memberSession_ = await memberSession(api.baseUrl, a.certificateNo);
    const own = await memberSession_.get('/api/member/certificate');
    expect(own.status).toBe(200);
    expect(own.headers.get('content-disposition')).toContain(`${a.certificateNo}-v1.pdf`);
    const ownPdf = Buffer.from(await own.arrayBuffer());
    expect(ownPdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await memberSession_.get(`/api/certificates/${b.certificateNo}/pdf`)).status).toBe(403);
    expect((await memberSession_.get('/member/certificate.pdf')).status).toBe(200);
    const memberAudit = await auditRows('certificate.download', `${a.certificateNo}-v1`);
    expect(memberAudit.some((e) => e.actorType === 'member' && e.actorId === a.certificateNo)).toBe(true);

    expect((await beijing.get(`/api/certificates/${c.certificateNo}/pdf`)).status).toBe(403);
    const crossZip = await beijing.post('/api/certificates/zip', {
      certificateNos: [a.certificateNo, c.certificateNo],
    });
    expect(crossZip.status).toBe(403);

    const zip = await beijing.post('/api/certificates/zip', { certificateNos: [a.certificateNo, b.certificateNo] });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const zipFile = await save('two.zip', Buffer.from(await zip.arrayBuffer()));
    const listing = run('unzip', ['-l', zipFile]).stdout;
    expect(listing).toContain(`${a.certificateNo}-v1.pdf`);
    expect(listing).toContain(`${b.certificateNo}-v1.pdf`);
    run('unzip', ['-q', '-o', zipFile, '-d', path.join(dir, 'unzipped')]);
    expect(run('pdfsig', [path.join(dir, 'unzipped', `${b.certificateNo}-v1.pdf`)]).stdout).toContain(
      'Signature is Valid',
    );
    const zipAudit = await auditRows('certificate.download', `${b.certificateNo}-v1`);
    expect(zipAudit.some((e) => (e.detail as { zip?: boolean }).zip === true)).toBe(true);

    const nationalZip = await national.post('/api/certificates/zip', {
      certificateNos: [a.certificateNo, c.certificateNo],
    });
    expect(nationalZip.status).toBe(200);
    const tooMany = await national.post('/api/certificates/zip', { certificateNos: [] });
    expect(tooMany.status).toBe(400);
  });

  it('publishes the QR public key and the seal certificate under /.well-known/', async () => {
    const key = await fetch(`${api.baseUrl}/.well-known/cicpa-qr-public-key.pem`);
    expect(await key.text()).toContain('BEGIN PUBLIC KEY');
    const cert = await fetch(`${api.baseUrl}/.well-known/cicpa-seal-certificate.pem`);
    expect(await cert.text()).toContain('BEGIN CERTIFICATE');
  });
});

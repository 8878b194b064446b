/**
 * Annual inspection results (R13): file upload with dry run (CSV and XLSX), all-or-nothing and idempotent import,
 * province scope, audit, one member's result through the API and the console. Provinces 54, 61 and 62 are used by
 * no other test file, so counts of their members' rows are this file's own.
 */
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { AuditEvent, Inspection, Member, reserveCertificateSerials } from '@app/persistence';
import { formatCertificateNo } from '@app/domain/certificate-number';
import { createMember, createStaff, TEST_PASSWORD } from '../../factories/accounts';
import { readJson, startApi, type TestApi } from '../../support/api';

jest.setTimeout(180_000);

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

const thisYear = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));

/** A staff member's session cookie. */
async function login(role: Parameters<typeof createStaff>[1], province: string | null): Promise<string> {
  const account = await createStaff(api.dataSource, role, province);
  const response = await fetch(`${api.baseUrl}/api/auth/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: TEST_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0];
}

function csv(lines: string[][], bom = false): Buffer {
  const text = lines
    .map((l) => l.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
    .join('\r\n');
  return Buffer.from((bom ? '\uFEFF' : '') + text + '\r\n', 'utf8');
}

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('年检结果');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function upload(cookie: string, file: Buffer, dryRun: boolean, name = 'inspections.csv') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)]), name);
  const response = await fetch(`${api.baseUrl}/api/inspections/uploads?dryRun=${dryRun}`, {
    method: 'POST',
    headers: { cookie },
    body: form,
  });
  return { status: response.status, body: await readJson(response) };
}

async function inspectionsOf(memberIds: string[]) {
  return api.dataSource
    .getRepository(Inspection)
    .createQueryBuilder('i')
    .where('i.memberId IN (:...ids)', { ids: memberIds })
    .orderBy('i.year')
    .getMany();
}

async function uploadAudits(sha256: string) {
  return api.dataSource.getRepository(AuditEvent).find({
    where: { action: 'inspection.upload', subjectId: sha256 },
    order: { id: 'ASC' },
  });
}

const HEADER_ZH = ['证书编号', '年度', '结果', '通过日期', '备注'];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('inspection file upload', () => {
  it('dry run reports every row problem with its row number and writes nothing; the real upload refuses the file', async () => {
    const cookie = await login('provincialAdmin', '61');
    const a = await createMember(api.dataSource, '61');
    const b = await createMember(api.dataSource, '61');
    const other = await createMember(api.dataSource, '54');
    const file = csv([
      HEADER_ZH,
      [a.certificateNo, '2019', '通过', '2019-06-30', ''], // row 2: fine
      ['619999999999', '2019', '通过', '2019-06-30', ''], // 3: unknown member
      [other.certificateNo, '2019', '通过', '2019-06-30', ''], // 4: other province
      [b.certificateNo, '2016', '免检', '', ''], // 5: before 2017
      [b.certificateNo, String(thisYear + 1), '不通过', '', ''], // 6: future year
      [b.certificateNo, '2018', '通过', '', ''], // 7: passed without date
      [b.certificateNo, '2019', '通过', '2019-02-30', ''], // 8: no such date
      [b.certificateNo, '2020', '通过', '2019-12-31', ''], // 9: date before the year
      [b.certificateNo, '2021', '良好', '', ''], // 10: unknown result
      [a.certificateNo, '2019', '不通过', '', '重复'], // 11: duplicate of row 2
      ['12345', '2019', '通过', '2019-06-30', ''], // 12: malformed number
      [b.certificateNo, '2022', 'failed', '2022-05-01', ''], // 13: date on a failed result
    ]);
    const dry = await upload(cookie, file, true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rows: 12, valid: 1, changes: { insert: 1, update: 0, unchanged: 0 } });
    expect(dry.body.sha256).toBe(sha(file));
    const problems = (dry.body.problems as { row: number; field: string; message: string }[]).map((p) => [
      p.row,
      p.field,
    ]);
    expect(problems).toEqual([
      [3, 'memberNo'],
      [4, 'memberNo'],
      [5, 'year'],
      [6, 'year'],
      [7, 'passedOn'],
      [8, 'passedOn'],
      [9, 'passedOn'],
      [10, 'result'],
      [11, 'memberNo'],
      [12, 'memberNo'],
      [13, 'passedOn'],
    ]);
    const messages = (dry.body.problems as { message: string }[]).map((p) => p.message);
    expect(messages[0]).toBe('证书编号 619999999999 不存在');
    expect(messages[1]).toContain('西藏自治区注册会计师协会');
    expect(messages[2]).toContain('早于 2017 年');
    expect(messages[3]).toContain('尚未到来');
    expect(messages[4]).toBe('结果为“通过”时须填写通过日期');
    expect(messages[5]).toContain('不是有效日期');
    expect(messages[6]).toContain('早于 2020 年度');
    expect(messages[7]).toContain('无法识别');
    expect(messages[8]).toContain('与第 2 行重复');
    expect(messages[9]).toContain('12 位数字');
    expect(messages[10]).toContain('不应填写通过日期');

    // All or nothing: one good row among bad ones is not written either.
    const real = await upload(cookie, file, false);
    expect(real.status).toBe(400);
    expect(real.body.code).toBe('INSPECTION_FILE_INVALID');
    expect(real.body.fields).toHaveLength(11);
    expect(real.body.fields[0]).toEqual({ field: '第3行.memberNo', messages: ['证书编号 619999999999 不存在'] });
    expect(await inspectionsOf([a.id, b.id, other.id])).toEqual([]);
    expect(await uploadAudits(sha(file))).toEqual([]);
  });

  it('a missing column or an unreadable file is reported, not guessed', async () => {
    const cookie = await login('provincialAdmin', '61');
    const noYear = await upload(
      cookie,
      csv([
        ['证书编号', '结果'],
        ['610000000001', '通过'],
      ]),
      true,
    );
    expect(noYear.body.problems).toEqual([
      { row: 1, field: 'year', message: '表头缺少“年度”列（可写作 年度 或 year）' },
    ]);
    const gbk = await upload(cookie, Buffer.from([0xd6, 0xa4, 0xca, 0xe9, 0x0a]), true);
    expect(gbk.body.problems[0].message).toContain('UTF-8');
  });

  it('imports a CSV (BOM, Chinese headers) in one audited step; the same file again changes nothing', async () => {
    const staff = await createStaff(api.dataSource, 'provincialReviewer', '61');
    const response = await fetch(`${api.baseUrl}/api/auth/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: staff.username, password: TEST_PASSWORD }),
    });
    const cookie = response.headers.get('set-cookie')!.split(';')[0];
    const a = await createMember(api.dataSource, '61');
    const b = await createMember(api.dataSource, '61');
    const file = csv(
      [
        HEADER_ZH,
        [a.certificateNo, '2017', '通过', '2017-05-20', ''],
        [a.certificateNo, '2018', '免检', '', '出国进修'],
        [b.certificateNo, '2018', '不通过', '', '未参加继续教育, 待补'],
        [b.certificateNo, '2019', '通过', '2020/3/1', ''], // inspection of 2019 finished in 2020
      ],
      true,
    );
    const dry = await upload(cookie, file, true);
    expect(dry.body).toMatchObject({
      rows: 4,
      valid: 4,
      problems: [],
      changes: { insert: 4, update: 0, unchanged: 0 },
    });
    expect(await inspectionsOf([a.id, b.id])).toEqual([]);

    const real = await upload(cookie, file, false);
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ written: true, changes: { insert: 4, update: 0, unchanged: 0 } });
    const stored = await inspectionsOf([a.id, b.id]);
    expect(
      stored.map((i) => [i.memberId === a.id ? 'a' : 'b', i.year, i.result, i.passedOn, i.remark, i.source]),
    ).toEqual(
      expect.arrayContaining([
        ['a', 2017, 'passed', '2017-05-20', null, 'upload'],
        ['a', 2018, 'exempt', null, '出国进修', 'upload'],
        ['b', 2018, 'failed', null, '未参加继续教育, 待补', 'upload'],
        ['b', 2019, 'passed', '2020-03-01', null, 'upload'],
      ]),
    );
    expect(stored.every((i) => i.recordedBy === staff.id)).toBe(true);

    const again = await upload(cookie, file, false);
    expect(again.body).toMatchObject({ written: false, changes: { insert: 0, update: 0, unchanged: 4 } });
    const after = await inspectionsOf([a.id, b.id]);
    expect(after.map((i) => i.recordedAt.toISOString())).toEqual(stored.map((i) => i.recordedAt.toISOString()));

    // Both attempts are on record: the second with zero changes.
    const audits = await uploadAudits(sha(file));
    expect(audits.map((e) => [e.actorId, e.provinceCode, e.detail])).toEqual([
      [
        staff.id,
        '61',
        expect.objectContaining({
          sha256: sha(file),
          rows: 4,
          insert: 4,
          update: 0,
          unchanged: 0,
          years: [2017, 2018, 2019],
        }),
      ],
      [staff.id, '61', expect.objectContaining({ rows: 4, insert: 0, update: 0, unchanged: 4 })],
    ]);
  });

  it('imports an XLSX (English headers, date and number cells) and updates only what differs', async () => {
    const cookie = await login('provincialAdmin', '61');
    const a = await createMember(api.dataSource, '61');
    const first = await upload(
      cookie,
      csv([
        ['memberNo', 'year', 'result', 'passedOn', 'remark'],
        [a.certificateNo, '2021', 'passed', '2021-04-01', ''],
        [a.certificateNo, '2022', 'failed', '', ''],
      ]),
      false,
    );
    expect(first.body.changes).toEqual({ insert: 2, update: 0, unchanged: 0 });

    const file = await xlsx([
      ['memberNo', 'Year', 'Result', 'passedOn', 'Remark'],
      [Number(a.certificateNo), 2021, 'passed', new Date(Date.UTC(2021, 3, 1)), null], // same as stored
      [a.certificateNo, 2022, '通过', new Date(Date.UTC(2023, 0, 15)), '补检通过'], // changed
      [a.certificateNo, 2023, { richText: [{ text: '免' }, { text: '检' }] }, null, null], // new
    ]);
    const dry = await upload(cookie, file, true, 'results.xlsx');
    expect(dry.body).toMatchObject({
      rows: 3,
      valid: 3,
      problems: [],
      changes: { insert: 1, update: 1, unchanged: 1 },
    });
    const real = await upload(cookie, file, false, 'results.xlsx');
    expect(real.body.changes).toEqual({ insert: 1, update: 1, unchanged: 1 });
    expect((await inspectionsOf([a.id])).map((i) => [i.year, i.result, i.passedOn, i.remark])).toEqual([
      [2021, 'passed', '2021-04-01', null],
      [2022, 'passed', '2023-01-15', '补检通过'],
      [2023, 'exempt', null, null],
    ]);
  });

  it("keeps provincial staff to their own province's members; national administrators may upload any", async () => {
    const tibet = await login('provincialAdmin', '54');
    const m61 = await createMember(api.dataSource, '61');
    const m54 = await createMember(api.dataSource, '54');
    const file = csv([
      HEADER_ZH,
      [m54.certificateNo, '2020', '免检', '', ''],
      [m61.certificateNo, '2020', '免检', '', ''],
    ]);
    const refused = await upload(tibet, file, false);
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([
      { field: '第3行.memberNo', messages: [`会员 ${m61.certificateNo} 属于陕西省注册会计师协会，不能由本会导入`] },
    ]);
    expect(await inspectionsOf([m54.id, m61.id])).toEqual([]);

    const national = await login('nationalAdmin', null);
    const ok = await upload(national, file, false);
    expect(ok.body.changes).toEqual({ insert: 2, update: 0, unchanged: 0 });
    const [audit] = await uploadAudits(sha(file));
    expect([audit.provinceCode, audit.detail.provinces]).toEqual([null, ['54', '61']]);

    // National reviewers review applications; they do not record inspection results.
    const reviewer = await login('nationalReviewer', null);
    expect((await upload(reviewer, file, true)).status).toBe(403);
  });

  it('imports 50,000 rows', async () => {
    const count = 50_000;
    const template = await createMember(api.dataSource, '62');
    const firstSerial = await api.dataSource.transaction((m) => reserveCertificateSerials(m, '62', count));
    const numbers = Array.from({ length: count }, (_, i) => formatCertificateNo('62', firstSerial + i));
    // Members in bulk: copies of one factory member with their own numbers.
    await api.dataSource.query(
      `INSERT INTO members (certificate_no, name, gender, id_number, date_of_birth, mobile, email, province_code,
                            admission_route, exam_pass_year, joined_on, approval_doc_no, paper_certificate,
                            password_hash, must_change_password)
       SELECT n, name, gender, id_number, date_of_birth, mobile, n || '@example.com', province_code,
              admission_route, exam_pass_year, joined_on, approval_doc_no, paper_certificate,
              password_hash, must_change_password
       FROM members, unnest($2::text[]) AS n WHERE id = $1`,
      [template.id, numbers],
    );
    const cookie = await login('provincialAdmin', '62');
    const file = csv([
      HEADER_ZH,
      ...numbers.map((n, i) => [n, '2024', i % 10 ? '通过' : '免检', i % 10 ? '2024-06-30' : '', '']),
    ]);

    let started = process.hrtime.bigint();
    const dry = await upload(cookie, file, true);
    const dryMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(dry.body).toMatchObject({ rows: count, valid: count, problems: [], changes: { insert: count } });

    started = process.hrtime.bigint();
    const real = await upload(cookie, file, false);
    const realMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(real.body.changes).toEqual({ insert: count, update: 0, unchanged: 0 });

    started = process.hrtime.bigint();
    const again = await upload(cookie, file, false);
    const againMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(again.body.changes).toEqual({ insert: 0, update: 0, unchanged: count });
    const [{ n }] = await api.dataSource.query(
      `SELECT count(*)::int AS n FROM inspections i JOIN members m ON m.id = i.member_id
       WHERE m.certificate_no = ANY($1::text[])`,
      [numbers],
    );
    expect(n).toBe(count);
    // Reported, not asserted: timings depend on the machine.
    console.log(
      `50,000-row CSV (${(file.length / 1024 / 1024).toFixed(1)} MB): dry run ${dryMs.toFixed(0)} ms, ` +
        `import ${realMs.toFixed(0)} ms, re-import ${againMs.toFixed(0)} ms`,
    );
  });
});

describe('one member’s result', () => {
  it('records, updates and lists one result through the API, in province scope and audited', async () => {
    const cookie = await login('provincialAdmin', '61');
    const member = await createMember(api.dataSource, '61');
    const post = (body: Record<string, unknown>, who = cookie) =>
      fetch(`${api.baseUrl}/api/inspections`, {
        method: 'POST',
        headers: { cookie: who, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const missingDate = await post({ certificateNo: member.certificateNo, year: 2024, result: 'passed' });
    expect(missingDate.status).toBe(400);
    expect((await readJson(missingDate)).fields).toEqual([
      { field: 'passedOn', messages: ['结果为“通过”时须填写通过日期'] },
    ]);
    const tooEarly = await post({ certificateNo: member.certificateNo, year: 2016, result: 'exempt' });
    expect((await readJson(tooEarly)).fields[0].field).toBe('year');

    const saved = await post({
      certificateNo: member.certificateNo,
      year: 2024,
      result: 'passed',
      passedOn: '2024-07-01',
    });
    expect([saved.status, await readJson(saved)]).toEqual([
      200,
      { certificateNo: member.certificateNo, year: 2024, insert: 1, update: 0, unchanged: 0 },
    ]);
    const changed = await post({
      certificateNo: member.certificateNo,
      year: 2024,
      result: 'passed',
      passedOn: '2024-07-02',
      remark: '更正日期',
    });
    expect(await readJson(changed)).toMatchObject({ update: 1 });

    const history = await fetch(`${api.baseUrl}/api/members/${member.certificateNo}/inspections`, {
      headers: { cookie },
    });
    expect(await readJson(history)).toMatchObject({
      certificateNo: member.certificateNo,
      items: [
        {
          year: 2024,
          result: 'passed',
          resultLabel: '通过',
          passedOn: '2024-07-02',
          remark: '更正日期',
          source: 'console',
        },
      ],
    });

    const audits = await api.dataSource.getRepository(AuditEvent).find({
      where: { action: 'inspection.record', subjectId: member.id },
      order: { id: 'ASC' },
    });
    expect(audits.map((a) => a.detail)).toEqual([
      expect.objectContaining({ year: 2024, passedOn: '2024-07-01', previous: null, changed: true }),
      expect.objectContaining({
        passedOn: '2024-07-02',
        previous: { result: 'passed', passedOn: '2024-07-01', remark: null },
        changed: true,
      }),
    ]);

    const tibet = await login('provincialAdmin', '54');
    const refused = await post({ certificateNo: member.certificateNo, year: 2023, result: 'exempt' }, tibet);
    expect([refused.status, (await readJson(refused)).code]).toEqual([403, 'OTHER_PROVINCE']);
    const hidden = await fetch(`${api.baseUrl}/api/members/${member.certificateNo}/inspections`, {
      headers: { cookie: tibet },
    });
    expect(hidden.status).toBe(403);
    expect((await api.dataSource.getRepository(Member).findOneByOrFail({ id: member.id })).provinceCode).toBe('61');
  });
});

describe('console page', () => {
  it('previews a file, imports it after confirmation and records one result', async () => {
    const cookie = await login('provincialAdmin', '61');
    const member = await createMember(api.dataSource, '61');
    const home = await fetch(`${api.baseUrl}/console`, { headers: { cookie } });
    expect(await home.text()).toContain('href="/console/inspections"');
    const page = await fetch(`${api.baseUrl}/console/inspections`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-upload-form');

    const send = (file: Buffer, fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(file)]), 'results.csv');
      return fetch(`${api.baseUrl}/console/inspections/upload`, { method: 'POST', headers: { cookie }, body: form });
    };
    const bad = csv([HEADER_ZH, [member.certificateNo, '2015', '通过', '2015-01-01', '']]);
    const badHtml = await (await send(bad, { mode: 'preview' })).text();
    expect(badHtml).toContain('data-problems');
    expect(badHtml).toContain('第 2 行');
    expect(badHtml).not.toContain('data-confirm-form');

    const good = csv([HEADER_ZH, [member.certificateNo, '2020', '通过', '2020-08-08', '']]);
    const preview = await (await send(good, { mode: 'preview' })).text();
    expect(preview).toContain(`data-sha256="${sha(good)}"`);
    expect(preview).toContain('data-confirm-form');
    expect(await inspectionsOf([member.id])).toEqual([]);

    // Confirming with another file than the one previewed writes nothing.
    const other = csv([HEADER_ZH, [member.certificateNo, '2020', '免检', '', '']]);
    const mismatch = await send(other, { mode: 'confirm', sha256: sha(good) });
    expect(mismatch.status).toBe(409);
    expect(await inspectionsOf([member.id])).toEqual([]);

    const done = await send(good, { mode: 'confirm', sha256: sha(good) });
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(/data-uploaded[\s\S]*新增 <strong data-insert>1<\/strong>/);

    const record = await fetch(`${api.baseUrl}/console/inspections/record`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        certificateNo: member.certificateNo,
        year: '2021',
        result: 'exempt',
        passedOn: '',
        remark: '',
      }),
    });
    const html = await record.text();
    expect(record.status).toBe(200);
    expect(html).toContain(`会员 ${member.certificateNo} 2021 年度年检结果已登记。`);
    expect(html).toMatch(/data-year="2021"><td>2021<\/td><td>免检/);
    expect(html).toMatch(/data-year="2020"><td>2020<\/td><td>通过<\/td><td>2020-08-08/);

    const invalid = await fetch(`${api.baseUrl}/console/inspections/record`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ certificateNo: member.certificateNo, year: '2022', result: 'passed', passedOn: '' }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('结果为“通过”时须填写通过日期');
  });
});

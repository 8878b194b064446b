/**
 * The institute's follow-up list of a campaign (R12, R19, R2): members whose inspection had failed or was missing are
 * listed for their institute, not reissued. JSON (paged, filtered, masked mobiles, province scope, Chinese 400/404),
 * the CSV for Excel (BOM, every download audited with the members it contained) and the console page. The campaign's
 * rows are written directly (no workflow): year 2087 and provinces 22/23 are this file's own (the browser upload test
 * also creates members of 22, but no campaign rows), so every count here is exact.
 */
import { parse } from 'csv-parse/sync';
import { createMember } from '../../factories/accounts';
import { createMembersInBulk, type BulkInspection } from '../../factories/members';
import { readJson, startApi, type Session, type TestApi } from '../../support/api';
import { staffSession } from '../certificates/support';

jest.setTimeout(120_000);

const YEAR = 2087;
/** A year without a campaign anywhere in the test suite (2086 is the verification test's, issuance.test.ts). */
const NO_CAMPAIGN = 2085;
const JILIN = '22';
const HEILONGJIANG = '23';

let api: TestApi;
let jilin: Session;
let jilinUser: string;
let national: Session;

interface Expected {
  certificateNo: string;
  provinceCode: string;
  inspection: 'failed' | 'missing';
}
/** The follow-up list as it should be, by current province. */
const expected: Expected[] = [];
let formulaNo: string;
let transferredNo: string;
let followedUpNo: string;

/** A page's HTML with the escapes Handlebars puts into attribute values undone, to compare links. */
async function pageHtml(response: Response): Promise<string> {
  return (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/** Records that the campaign processed these members with what it found (as processPage does), without a workflow. */
async function processed(ids: string[], provinceCode: string) {
  await api.dataSource.query(
    `INSERT INTO campaign_members (campaign_year, member_id, province_code, inspection)
     SELECT $1, p.id, $2, COALESCE(i.result, 'missing')
       FROM unnest($3::uuid[]) AS p(id) LEFT JOIN inspections i ON i.member_id = p.id AND i.year = $1`,
    [YEAR, provinceCode, ids],
  );
}

async function bulk(provinceCode: string, count: number) {
  const inspections: BulkInspection[] = ['passed', 'failed', 'exempt', 'missing'];
  const { ids } = await createMembersInBulk(api.dataSource, provinceCode, count, { inspectionYear: YEAR });
  await processed(ids, provinceCode);
  const rows: { id: string; certificate_no: string }[] = await api.dataSource.query(
    `SELECT id, certificate_no FROM members WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const noOf = new Map(rows.map((r) => [r.id, r.certificate_no]));
  ids.forEach((id, i) => {
    const inspection = inspections[i % 4];
    if (inspection === 'failed' || inspection === 'missing') {
      expected.push({ certificateNo: noOf.get(id)!, provinceCode, inspection });
    }
  });
}

beforeAll(async () => {
  api = await startApi();
  for (const code of [JILIN, HEILONGJIANG]) {
    await api.dataSource.query(
      `INSERT INTO campaign_provinces (campaign_year, province_code, status, total, processed, workflow_id)
       VALUES ($1, $2, 'reminding', 0, 0, $3)`,
      [YEAR, code, `campaign-${YEAR}-${code}`],
    );
  }
  // 120 in Jilin: 60 on the list (more than one console page of 50); 12 in Heilongjiang: 6.
  await bulk(JILIN, 120);
  await bulk(HEILONGJIANG, 12);

  // A name that Excel would run as a formula, and a mobile to see masked.
  const formula = await createMember(api.dataSource, JILIN, {
    name: '=HYPERLINK("http://x","点我")',
    mobile: '13912345678',
  });
  await api.dataSource.query(
    `INSERT INTO inspections (member_id, year, result, source) VALUES ($1, $2, 'failed', 'seed')`,
    [formula.id, YEAR],
  );
  await processed([formula.id], JILIN);
  formulaNo = formula.certificateNo;
  expected.push({ certificateNo: formulaNo, provinceCode: JILIN, inspection: 'failed' });

  // Processed by Heilongjiang's campaign, transferred to Jilin since: Jilin's to follow up now, not Heilongjiang's.
  const moved = await createMember(api.dataSource, HEILONGJIANG);
  await processed([moved.id], HEILONGJIANG);
  await api.dataSource.query(`UPDATE members SET province_code = $2 WHERE id = $1`, [moved.id, JILIN]);
  transferredNo = moved.certificateNo;
  expected.push({ certificateNo: transferredNo, provinceCode: JILIN, inspection: 'missing' });

  // A missing result the institute has since recorded: still on the list (the campaign decided), with the result now.
  followedUpNo = expected.find((e) => e.provinceCode === JILIN && e.inspection === 'missing')!.certificateNo;
  await api.dataSource.query(
    `INSERT INTO inspections (member_id, year, result, passed_on, source)
     SELECT id, $2, 'passed', make_date($2, 9, 1), 'upload' FROM members WHERE certificate_no = $1`,
    [followedUpNo, YEAR],
  );
  expected.sort((a, b) => a.certificateNo.localeCompare(b.certificateNo));

  const jilinStaff = await staffSession(api.baseUrl, api.dataSource, 'provincialReviewer', JILIN);
  [jilin, jilinUser] = [jilinStaff.session, jilinStaff.staff.username];
  national = (await staffSession(api.baseUrl, api.dataSource, 'nationalReviewer', null)).session;
});

afterAll(async () => {
  await api?.close();
});

/** A CSV file's rows (the BOM skipped). */
const csvRows = (text: string): string[][] => parse(text, { bom: true });

const numbers = (body: { items: { certificateNo: string }[] }) => body.items.map((i) => i.certificateNo);
const of = (provinceCode: string, inspection?: string) =>
  expected
    .filter((e) => e.provinceCode === provinceCode && (!inspection || e.inspection === inspection))
    .map((e) => e.certificateNo);

async function downloads(): Promise<
  {
    actor_label: string;
    province_code: string | null;
    detail: Record<string, unknown> & { certificateNos: string[]; sha256: string };
  }[]
> {
  return api.dataSource.query(
    `SELECT actor_label, province_code, detail FROM audit_events
      WHERE action = 'campaign.followUp.download' AND subject_id = $1 ORDER BY id`,
    [`campaign-${YEAR}`],
  );
}

describe('GET /api/campaigns/:year/follow-up (R12)', () => {
  it('lists failed and missing members of the own province only, paged, with masked mobiles', async () => {
    const first = await readJson(await jilin.get(`/api/campaigns/${YEAR}/follow-up?pageSize=25`));
    expect(first).toMatchObject({
      total: of(JILIN).length,
      page: 1,
      pageSize: 25,
      pages: Math.ceil(of(JILIN).length / 25),
    });
    expect(first.total).toBe(62);
    expect(numbers(first)).toEqual(of(JILIN).slice(0, 25));
    const third = await readJson(await jilin.get(`/api/campaigns/${YEAR}/follow-up?pageSize=25&page=3`));
    expect(numbers(third)).toEqual(of(JILIN).slice(50));

    const all = await readJson(await jilin.get(`/api/campaigns/${YEAR}/follow-up?pageSize=100`));
    expect(all.items.every((i: { provinceCode: string }) => i.provinceCode === JILIN)).toBe(true);
    expect(all.items.map((i: { inspection: string }) => i.inspection).sort()).toEqual(
      expected
        .filter((e) => e.provinceCode === JILIN)
        .map((e) => e.inspection)
        .sort(),
    );
    const formula = all.items.find((i: { certificateNo: string }) => i.certificateNo === formulaNo);
    expect(formula).toEqual({
      certificateNo: formulaNo,
      name: '=HYPERLINK("http://x","点我")',
      provinceCode: JILIN,
      instituteName: '吉林省注册会计师协会',
      inspection: 'failed',
      inspectionLabel: '年检未通过',
      currentResult: 'failed',
      currentResultLabel: '不通过',
      mobile: '139****5678',
    });
    expect(JSON.stringify(all)).not.toContain('13912345678');
    expect(JSON.stringify(all)).not.toContain('13800138000');
    // Transferred in after processing: on the new institute's list.
    expect(numbers(all)).toContain(transferredNo);
    // Followed up since: still listed, with this year's result now.
    expect(all.items.find((i: { certificateNo: string }) => i.certificateNo === followedUpNo)).toMatchObject({
      inspection: 'missing',
      currentResult: 'passed',
      currentResultLabel: '通过',
    });

    const failed = await readJson(await jilin.get(`/api/campaigns/${YEAR}/follow-up?inspection=failed&pageSize=100`));
    expect(numbers(failed)).toEqual(of(JILIN, 'failed'));
    const missing = await readJson(await jilin.get(`/api/campaigns/${YEAR}/follow-up?inspection=missing&pageSize=100`));
    expect(numbers(missing)).toEqual(of(JILIN, 'missing'));
    // Naming the own province is the same list.
    const own = await readJson(await jilin.get(`/api/campaigns/${YEAR}/follow-up?provinceCode=${JILIN}&pageSize=100`));
    expect(numbers(own)).toEqual(of(JILIN));
  });

  it('national staff see every province or filter one; provincial staff asking for another get 403, never a narrowed list', async () => {
    const all = await readJson(await national.get(`/api/campaigns/${YEAR}/follow-up?pageSize=100`));
    expect(all.total).toBe(expected.length);
    const heilongjiang = await readJson(
      await national.get(`/api/campaigns/${YEAR}/follow-up?provinceCode=${HEILONGJIANG}&pageSize=100`),
    );
    expect(numbers(heilongjiang)).toEqual(of(HEILONGJIANG));
    // The member who moved to Jilin is no longer Heilongjiang's.
    expect(numbers(heilongjiang)).not.toContain(transferredNo);
    const hljStaff = (await staffSession(api.baseUrl, api.dataSource, 'provincialAdmin', HEILONGJIANG)).session;
    expect(numbers(await readJson(await hljStaff.get(`/api/campaigns/${YEAR}/follow-up?pageSize=100`)))).toEqual(
      of(HEILONGJIANG),
    );

    const other = await jilin.get(`/api/campaigns/${YEAR}/follow-up?provinceCode=${HEILONGJIANG}`);
    expect(other.status).toBe(403);
    expect((await readJson(other)).message).toContain('不属于您所在的地方注协');
    expect((await jilin.get(`/api/campaigns/${YEAR}/follow-up.csv?provinceCode=${HEILONGJIANG}`)).status).toBe(403);
  });

  it('an unknown campaign year, or one without the caller province, is 404 in Chinese; bad filters are 400 in Chinese', async () => {
    const unknown = await national.get(`/api/campaigns/${NO_CAMPAIGN}/follow-up`);
    expect(unknown.status).toBe(404);
    expect((await readJson(unknown)).message).toBe(`未找到${NO_CAMPAIGN} 年度的年检换发。`);
    expect((await national.get(`/api/campaigns/${NO_CAMPAIGN}/follow-up.csv`)).status).toBe(404);
    const beijing = (await staffSession(api.baseUrl, api.dataSource, 'provincialAdmin', '11')).session;
    expect((await beijing.get(`/api/campaigns/${YEAR}/follow-up`)).status).toBe(404);

    for (const [query, message] of [
      ['inspection=passed', '年检结果只能是 failed（未通过）或 missing（未年检）'],
      ['provinceCode=99', '地方注协代码无效'],
      ['pageSize=500', '每页最多 100 条'],
      ['page=0', '页码从 1 开始'],
    ]) {
      const bad = await jilin.get(`/api/campaigns/${YEAR}/follow-up?${query}`);
      expect(bad.status).toBe(400);
      expect((await readJson(bad)).message).toContain(message);
    }
    const year = await jilin.get('/api/campaigns/abcd/follow-up');
    expect(year.status).toBe(400);
    expect((await readJson(year)).message).toContain('年度应为整数');
    // Not for anonymous callers.
    expect((await fetch(`${api.baseUrl}/api/campaigns/${YEAR}/follow-up`)).status).toBe(401);
    expect((await fetch(`${api.baseUrl}/api/campaigns/${YEAR}/follow-up.csv`)).status).toBe(401);
  });
});

describe('GET /api/campaigns/:year/follow-up.csv (R12, R2: exports audited)', () => {
  it('is UTF-8 with a BOM for Excel, the same list, formulas neutralised, and every download is audited', async () => {
    const before = (await downloads()).length;
    const response = await jilin.get(`/api/campaigns/${YEAR}/follow-up.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="follow-up-2087-22\.csv"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1])).toBe('2087年度年检换发待跟进会员-吉林.csv');
    const data = Buffer.from(await response.arrayBuffer());
    expect([...data.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = data.toString('utf8');
    expect(text).not.toContain('13912345678');

    const [header, ...rows] = csvRows(text);
    expect(header).toEqual([
      '证书编号',
      '姓名',
      '地方注协',
      '换发时年检情况',
      '本年度年检结果（当前）',
      '手机（部分隐藏）',
    ]);
    // Certificate numbers stay text in Excel (a leading tab), in the list's order.
    expect(rows.map((r) => r[0])).toEqual(of(JILIN).map((no) => `\t${no}`));
    const formula = rows.find((r) => r[0] === `\t${formulaNo}`)!;
    expect(formula).toEqual([
      `\t${formulaNo}`,
      `'=HYPERLINK("http://x","点我")`,
      '吉林省注册会计师协会',
      '年检未通过',
      '不通过',
      '139****5678',
    ]);
    expect(rows.find((r) => r[0] === `\t${followedUpNo}`)!.slice(3, 5)).toEqual(['未年检', '通过']);

    const failedOnly = await jilin.get(`/api/campaigns/${YEAR}/follow-up.csv?inspection=failed`);
    const failedRows = csvRows(Buffer.from(await failedOnly.arrayBuffer()).toString('utf8')).slice(1);
    expect(failedRows.map((r) => r[0].trim())).toEqual(of(JILIN, 'failed'));

    const events = (await downloads()).slice(before);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      province_code: JILIN,
      detail: { year: YEAR, provinceCode: JILIN, inspection: ['failed', 'missing'], rows: of(JILIN).length },
    });
    // Log-in names are stored in lower case.
    expect(events[0].actor_label).toBe(jilinUser.toLowerCase());
    expect(events[0].detail.certificateNos).toEqual(of(JILIN));
    expect(events[0].detail.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(events[1].detail).toMatchObject({ inspection: ['failed'], rows: of(JILIN, 'failed').length });

    // National staff, every province.
    const all = await national.get(`/api/campaigns/${YEAR}/follow-up.csv`);
    expect(all.headers.get('content-disposition')).toContain('filename="follow-up-2087-all.csv"');
    expect(csvRows(Buffer.from(await all.arrayBuffer()).toString('utf8'))).toHaveLength(expected.length + 1);
    const last = (await downloads()).at(-1)!;
    expect(last).toMatchObject({ province_code: null, detail: { provinceCode: null, rows: expected.length } });
  });
});

describe('console page /console/campaigns/:year/follow-up (R12)', () => {
  it('is linked from the dashboard; pages of 50, filter by result, links to each timeline and to the CSV', async () => {
    const dashboard = await pageHtml(await jilin.get(`/console/campaigns/${YEAR}`));
    expect(dashboard).toContain(`<a href="/console/campaigns/${YEAR}/follow-up">待跟进会员名单</a>`);

    const first = await jilin.get(`/console/campaigns/${YEAR}/follow-up`);
    expect(first.status).toBe(200);
    const html = await pageHtml(first);
    const rowsOf = (page: string) =>
      [...page.matchAll(/<tr data-member="(\d{12})" data-inspection="(\w+)">/g)].map((m) => m[1]);
    expect(rowsOf(html)).toEqual(of(JILIN).slice(0, 50));
    expect(html).toContain(`data-total="${of(JILIN).length}"`);
    expect(html).toContain(`<a href="/console/members/${of(JILIN)[0]}" title="查看办理记录">${of(JILIN)[0]}</a>`);
    expect(html).toContain(`href="/api/campaigns/${YEAR}/follow-up.csv" data-follow-up-csv`);
    expect(html).toContain('<a href="?page=2" rel="next">下一页</a>');
    // Provincial staff get no province filter.
    expect(html).not.toContain('name="provinceCode"');

    const second = await pageHtml(await jilin.get(`/console/campaigns/${YEAR}/follow-up?page=2`));
    expect(rowsOf(second)).toEqual(of(JILIN).slice(50));
    expect(second).toContain('<a href="?page=1" rel="prev">上一页</a>');
    // The name with markup is text; the mobile masked.
    expect(second).toContain('=HYPERLINK(&quot;http://x&quot;,&quot;点我&quot;)');
    expect(second).toContain('139****5678');
    expect(second).not.toContain('13912345678');

    const missing = await pageHtml(await jilin.get(`/console/campaigns/${YEAR}/follow-up?inspection=missing`));
    expect(rowsOf(missing)).toEqual(of(JILIN, 'missing'));
    expect(missing).toContain('<option value="missing" selected>未年检</option>');
    expect(missing).toContain(`href="/api/campaigns/${YEAR}/follow-up.csv?inspection=missing"`);
    // "全部" in the select is an empty value: no filter.
    expect(
      rowsOf(await pageHtml(await jilin.get(`/console/campaigns/${YEAR}/follow-up?inspection=&provinceCode=`))),
    ).toEqual(of(JILIN).slice(0, 50));

    // National staff may filter by province.
    const hlj = await pageHtml(await national.get(`/console/campaigns/${YEAR}/follow-up?provinceCode=${HEILONGJIANG}`));
    expect(rowsOf(hlj)).toEqual(of(HEILONGJIANG));
    expect(hlj).toContain(`<option value="${HEILONGJIANG}" selected>黑龙江</option>`);
    expect(hlj).toContain(`href="/api/campaigns/${YEAR}/follow-up.csv?provinceCode=${HEILONGJIANG}"`);
  });

  it('refuses another province (403), a bad filter (400) and an unknown year (404) with Chinese error pages', async () => {
    const other = await jilin.get(`/console/campaigns/${YEAR}/follow-up?provinceCode=${HEILONGJIANG}`);
    expect(other.status).toBe(403);
    expect(await pageHtml(other)).toContain('不属于您所在的地方注协');
    const bad = await jilin.get(`/console/campaigns/${YEAR}/follow-up?inspection=passed`);
    expect(bad.status).toBe(400);
    expect(await pageHtml(bad)).toContain('年检结果只能是 failed（未通过）或 missing（未年检）');
    const unknown = await national.get(`/console/campaigns/${NO_CAMPAIGN}/follow-up`);
    expect(unknown.status).toBe(404);
    expect(await pageHtml(unknown)).toContain(`未找到${NO_CAMPAIGN} 年度的年检换发。`);
  });
});

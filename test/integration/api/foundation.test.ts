/**
 * The API skeleton on the real stack: health of PostgreSQL and Temporal, OpenAPI, staff and
 * member log-in, the first-log-in password change (R6), province scope (staff of one
 * institute never reach another's members), per-field validation errors, and the Chinese
 * page shell.
 */
import { AuditEvent } from '@app/persistence';
import { createMember, createStaff, TEST_PASSWORD } from '../../factories/accounts';
import { readJson, Session, startApi, type TestApi } from '../../support/api';

jest.setTimeout(60_000);

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

describe('operations', () => {
  it('reports PostgreSQL and Temporal healthy', async () => {
    const response = await fetch(`${api.baseUrl}/health`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.status).toBe('ok');
    expect(body.info.database.status).toBe('up');
    expect(body.info.temporal.status).toBe('up');
  });

  it('serves the OpenAPI document and its page', async () => {
    const page = await fetch(`${api.baseUrl}/docs`);
    expect(page.status).toBe(200);
    const spec = await readJson(await fetch(`${api.baseUrl}/docs-json`));
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/auth/staff/login', '/api/members/{certificateNo}']),
    );
  });
});

describe('staff log-in and province scope', () => {
  it('refuses a wrong password with a Chinese message and no session', async () => {
    const staff = await createStaff(api.dataSource, 'provincialReviewer', '11');
    const s = new Session(api.baseUrl);
    const response = await s.post('/api/auth/staff/login', { username: staff.username, password: 'wrong-password1' });
    expect(response.status).toBe(401);
    expect((await readJson(response)).message).toBe('账号或密码错误，请检查后重试。');
    expect((await s.get('/api/auth/me')).status).toBe(401);
  });

  it('lets a provincial reviewer read only members of their own province, and audits the view', async () => {
    const beijing = await createStaff(api.dataSource, 'provincialReviewer', '11');
    const own = await createMember(api.dataSource, '11');
    const other = await createMember(api.dataSource, '44', { name: '李广东' });
    const s = new Session(api.baseUrl);
    expect(
      (await s.post('/api/auth/staff/login', { username: beijing.username, password: TEST_PASSWORD })).status,
    ).toBe(200);

    const mine = await s.get(`/api/members/${own.certificateNo}`);
    expect(mine.status).toBe(200);
    expect((await readJson(mine)).mobile).toBe('13800138000');

    const denied = await s.get(`/api/members/${other.certificateNo}`);
    expect(denied.status).toBe(403);
    expect(await readJson(denied)).toMatchObject({ code: 'OTHER_PROVINCE' });
    expect((await s.get('/api/members?province=44')).status).toBe(403);

    const list = await readJson(await s.get('/api/members?pageSize=100'));
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((m: { provinceCode: string }) => m.provinceCode === '11')).toBe(true);

    const views = await api.dataSource
      .getRepository(AuditEvent)
      .find({ where: { action: 'member.view', actorId: beijing.id } });
    expect(views.map((v) => v.subjectId)).toEqual([own.id]);
  });

  it('lets national staff read members of every province', async () => {
    const national = await createStaff(api.dataSource, 'nationalReviewer');
    const member = await createMember(api.dataSource, '65');
    const s = new Session(api.baseUrl);
    await s.post('/api/auth/staff/login', { username: national.username, password: TEST_PASSWORD });
    expect((await s.get(`/api/members/${member.certificateNo}`)).status).toBe(200);
    expect((await s.get('/api/members?province=65')).status).toBe(200);
  });

  it('names each invalid field in a 400', async () => {
    const response = await fetch(`${api.baseUrl}/api/auth/member/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificateNo: '12ab', password: '' }),
    });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['certificateNo', 'password']);
    expect(body.message).toContain('证书编号应为 12 位数字');
  });
});

describe('member log-in (R6)', () => {
  it('requires the initial password to be changed before anything else', async () => {
    const member = await createMember(api.dataSource, '31', { mustChangePassword: true });
    const s = new Session(api.baseUrl);
    const login = await s.post('/api/auth/member/login', {
      certificateNo: member.certificateNo,
      password: TEST_PASSWORD,
    });
    expect(login.status).toBe(200);
    expect((await readJson(login)).principal.mustChangePassword).toBe(true);

    // Pages send the member to the password form; staff APIs stay closed to members.
    const home = await s.get('/member');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/member/password');
    expect((await s.get(`/api/members/${member.certificateNo}`)).status).toBe(403);

    const weak = await s.post('/api/auth/member/password', { currentPassword: TEST_PASSWORD, newPassword: 'short' });
    expect(weak.status).toBe(400);
    const changed = await s.post('/api/auth/member/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'MyOwn2026pw',
    });
    expect(changed.status).toBe(200);
    expect((await s.get('/member')).status).toBe(200);

    const again = new Session(api.baseUrl);
    expect(
      (await again.post('/api/auth/member/login', { certificateNo: member.certificateNo, password: TEST_PASSWORD }))
        .status,
    ).toBe(401);
    const fresh = await again.post('/api/auth/member/login', {
      certificateNo: member.certificateNo,
      password: 'MyOwn2026pw',
    });
    expect((await readJson(fresh)).principal.mustChangePassword).toBe(false);
  });
});

describe('pages', () => {
  it('serves the Chinese log-in page and sends anonymous visitors of the console there', async () => {
    const login = await fetch(`${api.baseUrl}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('工作人员登录');
    const console = await fetch(`${api.baseUrl}/console`, { redirect: 'manual' });
    expect(console.status).toBe(303);
    expect(console.headers.get('location')).toBe('/login?next=%2Fconsole');
  });

  it('logs a staff member in through the form and shows the console', async () => {
    const staff = await createStaff(api.dataSource, 'provincialAdmin', '47');
    const s = new Session(api.baseUrl);
    const bad = await s.postForm('/login', { username: staff.username, password: 'nope' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('账号或密码错误');
    const ok = await s.postForm('/login', { username: staff.username, password: TEST_PASSWORD, next: '/console' });
    expect(ok.status).toBe(303);
    const page = await s.get('/console');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('深圳市注册会计师协会');
    expect(html).toContain('地方注协管理员');
  });

  it('answers unknown pages with a Chinese 404 page and unknown API routes with JSON', async () => {
    const page = await fetch(`${api.baseUrl}/no-such-page`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('页面或资源不存在');
    const apiRoute = await fetch(`${api.baseUrl}/api/no-such-route`);
    expect(apiRoute.status).toBe(404);
    expect((await readJson(apiRoute)).message).toBe('页面或资源不存在。');
  });
});

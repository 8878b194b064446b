/** Test data: staff accounts and members with known passwords, unique per call. */
import { hash } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { StaffRole } from '@app/domain/roles';
import { Member, StaffAccount, nextCertificateNo } from '@app/persistence';

export const TEST_PASSWORD = 'Test1234pass';
let passwordHash: Promise<string> | undefined;
const testHash = () => (passwordHash ??= hash(TEST_PASSWORD));

export async function createStaff(ds: DataSource, role: StaffRole, provinceCode: string | null = null) {
  return ds.getRepository(StaffAccount).save({
    username: `t-${role}-${provinceCode ?? 'cn'}-${randomUUID().slice(0, 8)}`,
    displayName: `测试${role}`,
    passwordHash: await testHash(),
    role,
    provinceCode,
    active: true,
  });
}

export async function createMember(ds: DataSource, provinceCode: string, overrides: Partial<Member> = {}) {
  const certificateNo = await ds.transaction((m) => nextCertificateNo(m, provinceCode));
  return ds.getRepository(Member).save({
    certificateNo,
    name: '王小明',
    gender: 'M',
    idNumber: '11010519491231002X',
    dateOfBirth: '1949-12-31',
    mobile: '13800138000',
    email: `m${certificateNo}@example.com`,
    address: null,
    provinceCode,
    status: 'active',
    admissionRoute: 'exam',
    examPassYear: 2015,
    examPassCertNo: null,
    joinedOn: '2016-03-01',
    approvalDocNo: `京注协〔2016〕${certificateNo.slice(-3)}号`,
    paperCertificate: 'valid',
    passwordHash: await testHash(),
    mustChangePassword: false,
    ...overrides,
  } as Member);
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash, verify } from '@node-rs/argon2';
import { DataSource } from 'typeorm';
import { appendAudit, Application, Member, StaffAccount } from '@app/persistence';
import { AppException, Errors } from '../common/app-exception';
import type { MemberPrincipal, StaffPrincipal } from '../common/principal';
import { HttpStatus } from '@nestjs/common';

/**
 * A hash of a random string, verified when the account does not exist, so that a wrong
 * username costs the same time as a wrong password (no account enumeration by timing).
 */
const DUMMY_HASH = hash(`no-such-account-${Math.random()}`);

@Injectable()
export class AuthService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async staffLogin(username: string, password: string): Promise<StaffPrincipal> {
    const account = await this.dataSource
      .getRepository(StaffAccount)
      .findOne({ where: { username: username.trim().toLowerCase() } });
    const ok = await verify(account?.passwordHash ?? (await DUMMY_HASH), password);
    if (!account || !ok || !account.active) throw Errors.badCredentials();
    await this.dataSource.transaction(async (manager) => {
      await manager.update(StaffAccount, account.id, { lastLoginAt: new Date() });
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: account.id,
        actorLabel: account.username,
        action: 'staff.login',
        subjectType: 'staffAccount',
        subjectId: account.id,
        provinceCode: account.provinceCode,
        detail: {},
      });
    });
    return {
      kind: 'staff',
      id: account.id,
      username: account.username,
      displayName: account.displayName,
      role: account.role,
      provinceCode: account.provinceCode,
    };
  }

  async memberLogin(certificateNo: string, password: string): Promise<MemberPrincipal> {
    const member = await this.dataSource.getRepository(Member).findOne({ where: { certificateNo } });
    const ok = await verify(member?.passwordHash ?? (await DUMMY_HASH), password);
    if (!member || !ok) throw Errors.badCredentials();
    if (member.status !== 'active') {
      throw new AppException('MEMBER_INACTIVE', '该会员资格已暂停或注销，请联系所属地方注协。', HttpStatus.FORBIDDEN);
    }
    return this.memberPrincipal(member);
  }

  /** Replaces the member's password; clears the first-log-in flag (R6). */
  async changeMemberPassword(memberId: string, current: string, next: string): Promise<MemberPrincipal> {
    if (current === next) {
      throw Errors.validation([{ field: 'newPassword', messages: ['新密码不能与当前密码相同'] }]);
    }
    return this.dataSource.transaction(async (manager) => {
      const member = await manager.findOne(Member, { where: { id: memberId }, lock: { mode: 'pessimistic_write' } });
      if (!member) throw Errors.unauthenticated();
      if (!(await verify(member.passwordHash, current))) {
        throw Errors.validation([{ field: 'currentPassword', messages: ['当前密码不正确'] }]);
      }
      member.passwordHash = await hash(next);
      member.mustChangePassword = false;
      await manager.save(member);
      // From now on the initial password must not be readable anywhere (R5, progress page).
      await manager.update(Application, { memberId: member.id }, { initialPasswordCiphertext: null });
      await appendAudit(manager, {
        actorType: 'member',
        actorId: member.id,
        actorLabel: member.certificateNo,
        action: 'member.passwordChange',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.provinceCode,
        detail: {},
      });
      return this.memberPrincipal(member);
    });
  }

  private memberPrincipal(member: Member): MemberPrincipal {
    return {
      kind: 'member',
      id: member.id,
      certificateNo: member.certificateNo,
      name: member.name,
      provinceCode: member.provinceCode,
      mustChangePassword: member.mustChangePassword,
    };
  }
}

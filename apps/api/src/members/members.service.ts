import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { findProvince } from '@app/domain/provinces';
import { appendAudit, Member } from '@app/persistence';
import { Errors } from '../common/app-exception';
import { pageOf, type Page } from '../common/pagination';
import type { StaffPrincipal } from '../common/principal';
import { assertProvinceAccess, scopeProvinceFilter } from '../auth/province-scope';
import type { ListMembersQuery } from './dto/list-members.dto';

export interface MemberSummary {
  certificateNo: string;
  name: string;
  gender: string;
  provinceCode: string;
  instituteName: string;
  joinedOn: string;
  status: string;
}

@Injectable()
export class MembersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(staff: StaffPrincipal, query: ListMembersQuery): Promise<Page<MemberSummary>> {
    const province = scopeProvinceFilter(staff, query.province);
    const qb = this.dataSource.getRepository(Member).createQueryBuilder('m');
    if (province) qb.andWhere('m.province_code = :province', { province });
    if (query.q) {
      const q = query.q.trim();
      if (/^\d+$/.test(q)) qb.andWhere('m.certificate_no LIKE :prefix', { prefix: `${q}%` });
      else qb.andWhere('m.name LIKE :prefix', { prefix: `${q}%` });
    }
    qb.orderBy('m.certificate_no', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    const [rows, total] = await qb.getManyAndCount();
    return pageOf(rows.map(summary), total, query);
  }

  /** One member's record for staff of their institute or the national body; the view is audited. */
  async detail(staff: StaffPrincipal, certificateNo: string) {
    const member = await this.dataSource.getRepository(Member).findOne({ where: { certificateNo } });
    if (!member) throw Errors.notFound('该证书编号对应的会员');
    assertProvinceAccess(staff, member.provinceCode);
    await this.dataSource.transaction((manager) =>
      appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'member.view',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.provinceCode,
        detail: { certificateNo },
      }),
    );
    return {
      ...summary(member),
      dateOfBirth: member.dateOfBirth,
      mobile: member.mobile,
      email: member.email,
      admissionRoute: member.admissionRoute,
      examPassYear: member.examPassYear,
      approvalDocNo: member.approvalDocNo,
      paperCertificate: member.paperCertificate,
    };
  }
}

function summary(m: Member): MemberSummary {
  return {
    certificateNo: m.certificateNo,
    name: m.name,
    gender: m.gender,
    provinceCode: m.provinceCode,
    instituteName: findProvince(m.provinceCode)?.instituteName ?? m.provinceCode,
    joinedOn: String(m.joinedOn),
    status: m.status,
  };
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A local institute (地方注协), reference data seeded by the initial migration from
 * `PROVINCES`. R15: each institute names the staff member responsible for the e-certificate
 * work, whom the national body contacts when problems are reported up.
 */
@Entity({ name: 'institutes' })
export class Institute {
  /** 2-digit institute code, the prefix of its certificate numbers. */
  @PrimaryColumn({ name: 'code', type: 'char', length: 2 })
  code: string;

  /** Short name, e.g. 北京. */
  @Column({ name: 'name', type: 'text' })
  name: string;

  /** Full name printed on certificates and seals, e.g. 北京注册会计师协会. */
  @Column({ name: 'institute_name', type: 'text' })
  instituteName: string;

  @Column({ name: 'responsible_name', type: 'text', nullable: true })
  responsibleName: string | null;

  @Column({ name: 'responsible_phone', type: 'text', nullable: true })
  responsiblePhone: string | null;

  @Column({ name: 'responsible_email', type: 'text', nullable: true })
  responsibleEmail: string | null;
}

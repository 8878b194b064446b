import type { StaffRole } from '@app/domain/roles';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Institute } from './institute.entity';

/** Usernames are compared case-insensitively by storing them lower-case (a CHECK enforces it). */
const lowerCase = {
  to: (value: string | null | undefined) => (typeof value === 'string' ? value.toLowerCase() : value),
  from: (value: string) => value,
};

/** A staff account of a local institute or of the national body (DESIGN.md, Trust). */
@Entity({ name: 'staff_accounts' })
@Unique('staff_accounts_username_key', ['username'])
@Check('staff_accounts_username_check', `username = lower(username) AND username <> ''`)
@Check(
  'staff_accounts_role_check',
  `role IN ('provincialReviewer', 'provincialAdmin', 'nationalReviewer', 'nationalAdmin')`,
)
// Provincial roles act for exactly one institute; national roles for none (canActInProvince).
@Check(
  'staff_accounts_province_check',
  `(role IN ('provincialReviewer', 'provincialAdmin')) = (province_code IS NOT NULL)`,
)
export class StaffAccount {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'username', type: 'text', transformer: lowerCase })
  username: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  /** argon2id PHC string. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'role', type: 'varchar', length: 32 })
  role: StaffRole;

  @Column({ name: 'province_code', type: 'char', length: 2, nullable: true })
  provinceCode: string | null;

  @ManyToOne(() => Institute, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'staff_accounts_province_code_fkey' })
  institute?: Institute | null;

  @Column({ name: 'active', type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;
}

import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Institute } from './institute.entity';

/**
 * The last certificate serial issued per institute. Incremented with a single atomic
 * UPDATE … RETURNING (see certificate-numbers.ts), never decremented, so numbers are never
 * handed out twice. bigint comes back from `pg` as a string.
 */
@Entity({ name: 'certificate_number_counters' })
@Check('certificate_number_counters_last_serial_check', `last_serial BETWEEN 0 AND 9999999999`)
export class CertificateNumberCounter {
  @PrimaryColumn({ name: 'province_code', type: 'char', length: 2 })
  provinceCode: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'certificate_number_counters_province_code_fkey' })
  institute?: Institute;

  @Column({ name: 'last_serial', type: 'bigint', default: 0 })
  lastSerial: string;
}

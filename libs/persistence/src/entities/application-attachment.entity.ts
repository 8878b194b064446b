import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Application } from './application.entity';

/** A file an applicant uploaded with the application; the bytes live in the blob store. */
@Entity({ name: 'application_attachments' })
@Index('application_attachments_application_idx', ['applicationId'])
@Check('application_attachments_size_bytes_check', `size_bytes >= 0`)
export class ApplicationAttachment {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId: string;

  @ManyToOne(() => Application, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id', foreignKeyConstraintName: 'application_attachments_application_id_fkey' })
  application?: Application;

  /** What the file is, e.g. `idCard`, `examPassCertificate`, `photo`. */
  @Column({ name: 'kind', type: 'varchar', length: 32 })
  kind: string;

  @Column({ name: 'blob_key', type: 'text' })
  blobKey: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'size_bytes', type: 'int' })
  sizeBytes: number;

  @Column({ name: 'original_name', type: 'text' })
  originalName: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

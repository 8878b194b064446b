export * from './entities';
export { dataSourceOptions, MIGRATIONS, MIGRATIONS_TABLE } from './data-source';
export { runMigrations, revertAllMigrations } from './migrate';
export { nextApplicationNo, nextCertificateNo, reserveCertificateSerials } from './numbers';
export { rowsOf } from './query-rows';
export {
  appendAudit,
  auditHash,
  canonicalJson,
  verifyAuditChain,
  AUDIT_GENESIS_HASH,
  type AppendedAuditEvent,
  type AuditChainVerdict,
  type AuditEventInput,
} from './audit.service';
export { BlobNotFoundError, blobKeyOf, FsBlobStore, isBlobKey, type BlobStore } from './blob-store';
export * from './seed';
export { generateInitialPassword, openInitialPassword, sealInitialPassword } from './initial-password';

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { verifyAuditChain } from '@app/persistence';
import type { AuditChainCheckResult } from '../../workflows/maintenance/audit-chain-check.messages';

/** Activities over the audit log. Methods are bound into the `registry` worker. */
@Injectable()
export class AuditActivities {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async verifyAuditChain(): Promise<AuditChainCheckResult> {
    const result = await verifyAuditChain(this.dataSource.manager);
    return {
      ok: result.ok,
      checked: result.checked,
      brokenAt: result.brokenAt === undefined ? undefined : String(result.brokenAt),
    };
  }
}

/**
 * Verifies the append-only audit log's hash chain (DESIGN.md, Trust: "Audit"). Operators
 * run it from the Temporal UI or a schedule; it is also the smallest end-to-end proof that
 * the `registry` worker, its injected activities and PostgreSQL work together.
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { AuditActivities } from '../../activities/audit/audit.activities';
import type { AuditChainCheckResult } from './audit-chain-check.messages';

const { verifyAuditChain } = proxyActivities<AuditActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
});

export async function auditChainCheck(): Promise<AuditChainCheckResult> {
  setCurrentDetails('正在校验审计日志哈希链');
  const result = await verifyAuditChain();
  setCurrentDetails(result.ok ? `校验通过：${result.checked} 条` : `哈希链在事件 ${result.brokenAt} 处断开`);
  return result;
}

/** Every workflow type the `registry` worker runs: the entry of the workflow bundle. */
export { auditChainCheck } from './maintenance/audit-chain-check.workflow';

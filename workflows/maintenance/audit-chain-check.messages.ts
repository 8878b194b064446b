/** Result of one audit hash-chain verification. */
export interface AuditChainCheckResult {
  readonly ok: boolean;
  readonly checked: number;
  /** Id of the first event whose hash does not match, when the chain is broken. */
  readonly brokenAt?: string;
}

/** The paper certificate's state on the verification page and its JSON twin (R11, R2). */

export interface PaperCertificateView {
  status: 'valid' | 'void';
  /** Beijing date from which it is void (`YYYY-MM-DD`); null while valid, or when no campaign recorded the void. */
  voidedOn: string | null;
  /** The line on the page after "纸质非执业会员证：". */
  label: string;
}

/** `2025-12-31` → `2025年12月31日`, as dates are written in Chinese prose. */
export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/**
 * The paper certificate's line (R11): void since the campaign's deadline (the e-certificate counts from then), or still
 * valid; nothing for members admitted from 2021, who never had one. A valid paper of a suspended member is not called
 * valid: the verdict above says the membership is suspended, and the line must not contradict it.
 */
export function paperCertificateView(
  state: 'none' | 'valid' | 'void',
  voidedOn: string | null,
  memberSuspended: boolean,
): PaperCertificateView | null {
  if (state === 'none') return null;
  if (state === 'void') {
    return {
      status: 'void',
      voidedOn,
      label: voidedOn ? `已作废（自 ${chineseDate(voidedOn)} 起以电子证书为准）` : '已作废（以电子证书为准）',
    };
  }
  return {
    status: 'valid',
    voidedOn: null,
    label: memberSuspended ? '会员资格已暂停或注销，不能作为有效会员证明' : '有效',
  };
}

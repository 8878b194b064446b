import { chineseDate, paperCertificateView } from './paper-certificate';

describe('the paper certificate on the verification page (R11, R2)', () => {
  it('void: dated in Chinese when the campaign recorded the void, undated otherwise', () => {
    expect(paperCertificateView('void', '2025-12-31', false)).toEqual({
      status: 'void',
      voidedOn: '2025-12-31',
      label: '已作废（自 2025年12月31日 起以电子证书为准）',
    });
    expect(paperCertificateView('void', null, false)?.label).toBe('已作废（以电子证书为准）');
  });

  it('valid, unless the membership is suspended; nothing for members who never had one', () => {
    expect(paperCertificateView('valid', null, false)).toEqual({ status: 'valid', voidedOn: null, label: '有效' });
    expect(paperCertificateView('valid', null, true)?.label).toBe('会员资格已暂停或注销，不能作为有效会员证明');
    expect(paperCertificateView('none', null, false)).toBeNull();
  });

  it('writes dates as Chinese prose does, without leading zeros', () => {
    expect(chineseDate('2026-01-05')).toBe('2026年1月5日');
  });
});

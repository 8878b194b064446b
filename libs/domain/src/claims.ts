/**
 * The member's claim of an e-certificate (R6–R8) and its photo routes (R7): pure rules and labels shared by the
 * workflows, activities, API and pages.
 */

export const PHOTO_ROUTES = ['examPhoto', 'comparison', 'onSite'] as const;
/** R7a exam-system photo, R7b remote photo comparison, R7c on-site verification at the institute. */
export type PhotoRoute = (typeof PHOTO_ROUTES)[number];

export const PHOTO_ROUTE_LABELS: Record<PhotoRoute, string> = {
  examPhoto: '使用考试报名照片',
  comparison: '上传照片远程比对',
  onSite: '到地方注协现场核验',
};

/** The first year whose exam photos the exam system holds (R7a). */
export const EXAM_PHOTO_FIRST_YEAR = 2010;

/** Why the member may not use the exam photo, or null when they may (the photo's existence is checked apart). */
export function examPhotoObstacle(member: {
  admissionRoute: 'exam' | 'assessment';
  examPassYear: number | null;
}): string | null {
  if (member.admissionRoute !== 'exam') {
    return '您是考核入会的会员，考试系统中没有您的照片，请选择“上传照片远程比对”或“到地方注协现场核验”。';
  }
  if (member.examPassYear === null || member.examPassYear < EXAM_PHOTO_FIRST_YEAR) {
    return `考试系统只保存 ${EXAM_PHOTO_FIRST_YEAR} 年及以后全科合格人员的照片，您于 ${member.examPassYear ?? '—'} 年全科合格，请选择“上传照片远程比对”或“到地方注协现场核验”。`;
  }
  return null;
}

/** What the member brings to the on-site verification (R7c). */
export const ON_SITE_CHECKLIST: readonly string[] = [
  '本人居民身份证原件',
  '纸质非执业会员证原件（或注册会计师全科合格证原件）',
  '近期免冠证件照电子版（JPG 格式），或由地方注协现场拍摄',
];

export const CLAIM_STAGES = ['photo', 'confirm', 'issuing', 'issued', 'photoRejected', 'refused', 'cancelled'] as const;
export type ClaimStage = (typeof CLAIM_STAGES)[number];

export const CLAIM_STAGE_LABELS: Record<ClaimStage, string> = {
  photo: '照片核验中',
  confirm: '待确认个人信息',
  issuing: '电子证书生成中',
  issued: '电子证书已签发',
  photoRejected: '照片核验未通过',
  refused: '无法签发',
  cancelled: '已撤销',
};

/** Why the comparison route fell back to on-site verification (the member is told). */
export const FALLBACK_REASONS = {
  notAvailable: '照片比对功能尚未开通，您上传的照片已转交所属地方注协审核。',
  noMatch: '您上传的照片与档案照片比对不一致。',
  noFace: '您上传的照片中未检测到人脸。',
  multipleFaces: '您上传的照片中检测到多张人脸。',
  unavailable: '照片比对服务暂时不可用。',
  timeout: '照片比对服务响应超时。',
  noReference: '档案中没有可用于比对的照片。',
} as const;
export type FallbackCause = keyof typeof FALLBACK_REASONS;

/** Chinese problems with the personal data a member confirms (R8), by field; empty when acceptable. */
export function personalDataProblems(data: {
  mobile?: unknown;
  email?: unknown;
  address?: unknown;
}): { field: string; messages: string[] }[] {
  const problems: { field: string; messages: string[] }[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  if (!/^1[3-9]\d{9}$/.test(text(data.mobile))) {
    problems.push({ field: 'mobile', messages: ['手机号码应为 11 位中国大陆手机号，如 13800138000'] });
  }
  const email = text(data.email);
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    problems.push({ field: 'email', messages: ['电子邮箱格式不正确，如 name@example.com'] });
  }
  const address = text(data.address);
  if (address.length < 5 || address.length > 200) {
    problems.push({ field: 'address', messages: ['通讯地址应为 5–200 个字，请写到门牌号'] });
  }
  return problems;
}

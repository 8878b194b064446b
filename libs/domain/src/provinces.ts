/**
 * The 32 local institutes (地方注协): one per provincial-level region, keyed by its
 * 2-digit administrative division code (GB/T 2260), plus Shenzhen, which has an institute
 * of its own. Shenzhen has no provincial-level code; it takes `47`, which GB/T 2260 leaves
 * unused, so that certificate numbers stay "2-digit institute code first" for every
 * member (see docs/decisions.md).
 */
export interface Province {
  /** 2-digit code; the first two digits of every certificate number issued there. */
  readonly code: string;
  /** Short name used in tables, e.g. 北京. */
  readonly name: string;
  /** Full name of the local institute, printed on certificates and seals. */
  readonly instituteName: string;
}

export const PROVINCES: readonly Province[] = [
  { code: '11', name: '北京', instituteName: '北京注册会计师协会' },
  { code: '12', name: '天津', instituteName: '天津市注册会计师协会' },
  { code: '13', name: '河北', instituteName: '河北省注册会计师协会' },
  { code: '14', name: '山西', instituteName: '山西省注册会计师协会' },
  { code: '15', name: '内蒙古', instituteName: '内蒙古自治区注册会计师协会' },
  { code: '21', name: '辽宁', instituteName: '辽宁省注册会计师协会' },
  { code: '22', name: '吉林', instituteName: '吉林省注册会计师协会' },
  { code: '23', name: '黑龙江', instituteName: '黑龙江省注册会计师协会' },
  { code: '31', name: '上海', instituteName: '上海市注册会计师协会' },
  { code: '32', name: '江苏', instituteName: '江苏省注册会计师协会' },
  { code: '33', name: '浙江', instituteName: '浙江省注册会计师协会' },
  { code: '34', name: '安徽', instituteName: '安徽省注册会计师协会' },
  { code: '35', name: '福建', instituteName: '福建省注册会计师协会' },
  { code: '36', name: '江西', instituteName: '江西省注册会计师协会' },
  { code: '37', name: '山东', instituteName: '山东省注册会计师协会' },
  { code: '41', name: '河南', instituteName: '河南省注册会计师协会' },
  { code: '42', name: '湖北', instituteName: '湖北省注册会计师协会' },
  { code: '43', name: '湖南', instituteName: '湖南省注册会计师协会' },
  { code: '44', name: '广东', instituteName: '广东省注册会计师协会' },
  { code: '45', name: '广西', instituteName: '广西注册会计师协会' },
  { code: '46', name: '海南', instituteName: '海南省注册会计师协会' },
  { code: '47', name: '深圳', instituteName: '深圳市注册会计师协会' },
  { code: '50', name: '重庆', instituteName: '重庆市注册会计师协会' },
  { code: '51', name: '四川', instituteName: '四川省注册会计师协会' },
  { code: '52', name: '贵州', instituteName: '贵州省注册会计师协会' },
  { code: '53', name: '云南', instituteName: '云南省注册会计师协会' },
  { code: '54', name: '西藏', instituteName: '西藏自治区注册会计师协会' },
  { code: '61', name: '陕西', instituteName: '陕西省注册会计师协会' },
  { code: '62', name: '甘肃', instituteName: '甘肃省注册会计师协会' },
  { code: '63', name: '青海', instituteName: '青海省注册会计师协会' },
  { code: '64', name: '宁夏', instituteName: '宁夏注册会计师协会' },
  { code: '65', name: '新疆', instituteName: '新疆注册会计师协会' },
];

/** The national body (中注协); its name is printed on every certificate and its seal signs every PDF. */
export const NATIONAL_BODY_NAME = '中国注册会计师协会';

const byCode = new Map(PROVINCES.map((p) => [p.code, p]));

export function findProvince(code: string): Province | undefined {
  return byCode.get(code);
}

export function isProvinceCode(code: unknown): code is string {
  return typeof code === 'string' && byCode.has(code);
}

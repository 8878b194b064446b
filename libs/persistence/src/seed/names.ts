import type { Prng } from './prng';

/** Common surnames with rough relative frequencies (王李张刘陈 cover about a third of the population). */
// prettier-ignore
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 72], ['李', 71], ['张', 68], ['刘', 54], ['陈', 45], ['杨', 31], ['黄', 24], ['赵', 20], ['吴', 19],
  ['周', 19], ['徐', 14], ['孙', 14], ['马', 13], ['朱', 13], ['胡', 12], ['郭', 12], ['何', 11], ['高', 10],
  ['林', 10], ['罗', 9], ['郑', 9], ['梁', 8], ['谢', 7], ['宋', 7], ['唐', 7], ['许', 6], ['韩', 6], ['冯', 6],
  ['邓', 6], ['曹', 6], ['彭', 5], ['曾', 5], ['肖', 5], ['田', 5], ['董', 5], ['袁', 4], ['潘', 4], ['于', 4],
  ['蒋', 4], ['蔡', 4], ['余', 4], ['杜', 4], ['叶', 4], ['程', 4], ['苏', 3], ['魏', 3], ['吕', 3], ['丁', 3],
  ['任', 3], ['沈', 3], ['姚', 3], ['卢', 3], ['姜', 3], ['崔', 3], ['钟', 3], ['谭', 3], ['陆', 3], ['汪', 3],
  ['范', 3], ['金', 3], ['石', 3], ['廖', 3], ['贾', 2], ['夏', 2], ['韦', 2], ['付', 2], ['方', 2], ['白', 2],
  ['邹', 2], ['孟', 2], ['熊', 2], ['秦', 2], ['邱', 2], ['江', 2], ['尹', 2], ['薛', 2], ['闫', 2], ['段', 2],
  ['雷', 2], ['侯', 2], ['龙', 2], ['史', 2], ['陶', 2], ['黎', 2], ['贺', 2], ['顾', 2], ['毛', 2], ['郝', 2],
  ['龚', 1], ['邵', 1], ['万', 1], ['钱', 1], ['严', 1], ['覃', 1], ['武', 1], ['戴', 1], ['莫', 1], ['孔', 1],
  ['欧阳', 1], ['上官', 0.3], ['司马', 0.3], ['诸葛', 0.2], ['皇甫', 0.2], ['令狐', 0.1],
];

const MALE_CHARS = '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣阳建国志文博晨昊然东海峰亮振宏毅';
const FEMALE_CHARS = '芳娜敏静丽艳娟霞秀玲燕婷雪慧颖琳晶倩莉萍红梅兰月琴洁怡佳欣悦蕾萱雅茜婧璐瑶菲';
const NEUTRAL_CHARS = '子一思雨嘉晓诗宇文安心明晨可正清云天立';

/**
 * Characters that break naive software: rare ones in the Basic Multilingual Plane and
 * CJK Extension A, and two beyond it (𠇔, 𡒄: surrogate pairs in UTF-16, four bytes in
 * UTF-8). Real members have names like these; certificates, PDFs and masks must cope.
 */
const RARE_CHARS = ['堃', '喆', '淼', '燚', '犇', '赟', '昇', '玥', '䶮', '龑', '𠇔', '𡒄', '昳', '甡'];

/** Uyghur and Kazakh names are written in Chinese with a middle dot (·) between given name and father's name. */
// prettier-ignore
const MINORITY_PARTS = ['买买提', '艾力', '阿不都', '热依拉', '古丽', '努尔', '帕提古丽', '吐尔逊', '阿依', '热合曼', '依明', '迪丽'];
const TIBETAN_NAMES = ['扎西顿珠', '次仁卓玛', '格桑', '达瓦次仁', '央金', '尼玛'];

export interface GeneratedName {
  name: string;
  /** Which kind of name it is, for tests and statistics. */
  kind: 'han' | 'rare' | 'dotted' | 'tibetan';
}

export function generateName(prng: Prng, gender: 'M' | 'F', provinceCode: string): GeneratedName {
  // Xinjiang and Tibet get more of their names, the rest of the country a few.
  const dotted = provinceCode === '65' ? 0.35 : 0.004;
  const tibetan = provinceCode === '54' ? 0.4 : 0.002;
  const r = prng.next();
  if (r < dotted) {
    const given = prng.pick(MINORITY_PARTS);
    let father = prng.pick(MINORITY_PARTS);
    if (father === given) father = '买买提';
    return { name: `${given}·${father}`, kind: 'dotted' };
  }
  if (r < dotted + tibetan) return { name: prng.pick(TIBETAN_NAMES), kind: 'tibetan' };

  const surname = prng.weighted(SURNAMES);
  const pool = gender === 'M' ? MALE_CHARS + NEUTRAL_CHARS : FEMALE_CHARS + NEUTRAL_CHARS;
  const chars = Array.from(pool);
  const length = prng.chance(0.25) ? 1 : 2;
  let given = '';
  for (let i = 0; i < length; i++) given += prng.pick(chars);
  if (prng.chance(0.01)) {
    return { name: surname + given.slice(0, Array.from(given)[0].length) + prng.pick(RARE_CHARS), kind: 'rare' };
  }
  return { name: surname + given, kind: 'han' };
}

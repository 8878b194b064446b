import { canHandleTask, decisionProblems, taskTypesFor } from './review';

describe('work-queue rules', () => {
  it('gives first review to provincial staff of the province and second review to national staff', () => {
    const beijing = { role: 'provincialReviewer' as const, provinceCode: '11' };
    const national = { role: 'nationalReviewer' as const, provinceCode: null };
    expect(canHandleTask(beijing, { type: 'firstReview', provinceCode: '11' })).toBe(true);
    expect(canHandleTask(beijing, { type: 'firstReview', provinceCode: '44' })).toBe(false);
    expect(canHandleTask(beijing, { type: 'secondReview', provinceCode: null })).toBe(false);
    expect(canHandleTask(national, { type: 'secondReview', provinceCode: null })).toBe(true);
    expect(canHandleTask(national, { type: 'firstReview', provinceCode: '11' })).toBe(false);
    expect(taskTypesFor('provincialAdmin')).toEqual(['firstReview', 'onSiteCheck']);
    expect(taskTypesFor('nationalAdmin')).toEqual(['secondReview']);
  });

  it('requires a reason to reject or return, not to approve', () => {
    expect(decisionProblems('approve', null)).toEqual([]);
    expect(decisionProblems('return', ' ')).toHaveLength(1);
    expect(decisionProblems('reject', '学历证明不清晰')).toEqual([]);
    expect(decisionProblems('maybe', 'x')).toHaveLength(1);
  });
});

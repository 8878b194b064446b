export { isDatabaseEmpty, seedDemoData, FIRST_INSPECTION_YEAR, LAST_INSPECTION_YEAR } from './seed';
export type { SeedOptions, SeedResult } from './seed';
export {
  birthDateOfIdNumber,
  genderOfIdNumber,
  idNumberCheckDigit,
  isValidIdNumber,
  makeIdNumber,
} from '@app/domain/id-number';
export { Prng } from './prng';

/**
 * Calendar dates as the people using the system read them: China Standard Time (UTC+8, no daylight saving), whatever
 * the server's own zone. Between 00:00 and 08:00 in Beijing the UTC date is still yesterday's, and on New Year's
 * morning the UTC year is still last year's.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** `YYYY-MM-DD HH:mm` in Beijing. */
export function beijingDateTime(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** Today in Beijing, `YYYY-MM-DD`. */
export function beijingToday(now: Date = new Date()): string {
  return beijingDateTime(now).slice(0, 10);
}

/** This year in Beijing. */
export function beijingYear(now: Date = new Date()): number {
  return Number(beijingToday(now).slice(0, 4));
}

/** Whole years from `birthDate` (`YYYY-MM-DD`) to today in Beijing. */
export function ageInYears(birthDate: string, now: Date = new Date()): number {
  const today = beijingToday(now);
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // Month and day compare as text: "02-29" birthdays count from 1 March in other years.
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

/** Every time the console shows or asks for is in the office's zone, whatever the browser's. */
export const OFFICE_ZONE = 'Asia/Shanghai';

export function officeTime(instant: string | Date | Dayjs): Dayjs {
  return dayjs(instant).tz(OFFICE_ZONE);
}

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai; a dash for no value. */
export function formatTime(instant: string | Date | Dayjs | undefined | null): string {
  if (instant === undefined || instant === null || instant === '') return '—';
  return officeTime(instant).format('YYYY-MM-DD HH:mm');
}

/** The instant a wall-clock time in Asia/Shanghai names, as ISO-8601 with its +08:00 offset. */
export function officeInstant(wallClock: Dayjs): string {
  return dayjs.tz(wallClock.format('YYYY-MM-DDTHH:mm:ss'), OFFICE_ZONE).format();
}

/** The current month in Asia/Shanghai, `YYYY-MM`. */
export function currentOfficeMonth(now: Date = new Date()): string {
  return officeTime(now).format('YYYY-MM');
}

/** Shanghai midnight at the start of `month` (YYYY-MM) shifted by `offset` months, as `YYYY-MM-DD`. */
export function monthStart(month: string, offset = 0): string {
  return dayjs(`${month}-01`).add(offset, 'month').format('YYYY-MM-DD');
}

/** Time left (or past) as people say it: `2天3小时`, `45分钟`. */
export function spokenDuration(hours: number): string {
  const minutes = Math.round(Math.abs(hours) * 60);
  const days = Math.floor(minutes / (24 * 60));
  const restHours = Math.floor((minutes % (24 * 60)) / 60);
  const restMinutes = minutes % 60;
  if (days > 0) return restHours > 0 ? `${days}天${restHours}小时` : `${days}天`;
  if (restHours > 0) return restMinutes > 0 ? `${restHours}小时${restMinutes}分钟` : `${restHours}小时`;
  return `${restMinutes}分钟`;
}

/** `剩余 2天3小时` or `超期 5小时`. */
export function countdown(hoursLeft: number): string {
  return hoursLeft >= 0 ? `剩余 ${spokenDuration(hoursLeft)}` : `超期 ${spokenDuration(hoursLeft)}`;
}

/** A deadline is flagged (orange) when it falls due within this many hours and has not passed. */
export const DUE_SOON_HOURS = 24;

export type Urgency = 'overdue' | 'due-soon' | 'normal';

export function deadlineUrgency(hoursLeft: number): Urgency {
  if (hoursLeft < 0) return 'overdue';
  return hoursLeft <= DUE_SOON_HOURS ? 'due-soon' : 'normal';
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`;
}

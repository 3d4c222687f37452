import { displayWidth } from './display-width';
import { REPORT_FORMAT_MEDIA, REPORT_FORMATS } from './report-formats';
import { formatMonth, formatRate, formatShanghaiMinute, formatSupervision, shanghaiWallClock } from './report-formatting';

describe('report formatting', () => {
  it('shows a rate as a percentage with one decimal, and no rate as —', () => {
    expect(formatRate(12 / 13)).toBe('92.3%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(0)).toBe('0.0%');
    expect(formatRate(null)).toBe('—');
  });

  it('shows instants in Shanghai time to the minute, across midnight and the year end', () => {
    expect(formatShanghaiMinute('2026-03-20T10:00:00.000Z')).toBe('2026-03-20 18:00');
    expect(formatShanghaiMinute('2025-12-31T16:00:00Z')).toBe('2026-01-01 00:00');
    expect(formatShanghaiMinute(new Date('2026-04-01T00:30:59.999Z'))).toBe('2026-04-01 08:30');
  });

  it('refuses an instant that is not one rather than printing NaN', () => {
    expect(() => shanghaiWallClock('next Tuesday')).toThrow(RangeError);
  });

  it('names the month in Chinese', () => {
    expect(formatMonth('2026-03')).toBe('2026年3月');
    expect(formatMonth('2026-12')).toBe('2026年12月');
    expect(() => formatMonth('2026-13')).toThrow(RangeError);
  });

  it('writes a supervision order without a time limit as answered or not', () => {
    expect(formatSupervision({ instruction: '加快办理', issuedAt: '2026-03-02T02:00:00Z', dueAt: null, answered: true })).toBe(
      '2026-03-02 10:00 加快办理（已答复）',
    );
  });
});

describe('display width', () => {
  it('counts Chinese characters and full-width punctuation twice, ASCII once', () => {
    expect(displayWidth('RX2026-0042')).toBe(11);
    expect(displayWidth('曲江社区')).toBe(8);
    expect(displayWidth('（限）：，')).toBe(10);
    expect(displayWidth('12345工单')).toBe(9);
    expect(displayWidth('—')).toBe(1);
    expect(displayWidth('𠀋')).toBe(2);
  });

  it('takes the widest line of a multi-line text', () => {
    expect(displayWidth('短\n长一些的行')).toBe(10);
    expect(displayWidth('')).toBe(0);
  });
});

describe('report formats', () => {
  it('serves json, csv, xlsx and html with their media types and extensions', () => {
    expect(REPORT_FORMATS).toEqual(['json', 'csv', 'xlsx', 'html']);
    expect(REPORT_FORMAT_MEDIA).toEqual({
      json: { contentType: 'application/json', extension: 'json' },
      csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
      xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
      html: { contentType: 'text/html; charset=utf-8', extension: 'html' },
    });
  });
});

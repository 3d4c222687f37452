import type { EpisodeFact } from './case-facts';
import { daysOverdue, episodeVerdict, openAndOverdueAt } from './episode-verdict';

const dueAt = '2026-03-20T18:00:00+08:00';
const due = Date.parse(dueAt);
const HOUR = 3_600_000;
const episode = (fields: Partial<EpisodeFact> = {}): EpisodeFact => ({ milestone: 'resolve', episode: 1, dueAt, ...fields });

describe('episodeVerdict', () => {
  it('reached exactly at the deadline is on time, even written in another offset', () => {
    expect(episodeVerdict(episode({ reachedAt: '2026-03-20T10:00:00.000Z' }), due)).toBe('on-time');
  });

  it('reached one second later is late, whenever it is judged', () => {
    expect(episodeVerdict(episode({ reachedAt: '2026-03-20T18:00:01+08:00' }), due - HOUR)).toBe('late');
  });

  it('ended by a restart after its deadline is late; at or before it, it never counts', () => {
    expect(episodeVerdict(episode({ endedAt: '2026-03-20T18:00:01+08:00' }), due + 100 * HOUR)).toBe('late');
    expect(episodeVerdict(episode({ endedAt: dueAt }), due + 100 * HOUR)).toBe('void');
  });

  it('unreached: late once the judging instant is past the deadline, not due yet until then', () => {
    expect(episodeVerdict(episode(), due + 1)).toBe('late');
    expect(episodeVerdict(episode(), due)).toBe('not-due-yet');
  });
});

describe('openAndOverdueAt', () => {
  const monthEnd = Date.parse('2026-04-01T00:00:00+08:00');

  it('open at the instant when neither reached nor ended before it, whatever happened after', () => {
    expect(openAndOverdueAt(episode(), monthEnd)).toBe(true);
    expect(openAndOverdueAt(episode({ reachedAt: '2026-04-01T00:00:00+08:00' }), monthEnd)).toBe(true);
    expect(openAndOverdueAt(episode({ endedAt: '2026-04-03T00:00:00+08:00' }), monthEnd)).toBe(true);
  });

  it('at the judging instant of a month still running, a reach at that very instant has happened', () => {
    const judgedAt = '2026-03-26T09:00:00+08:00';
    expect(openAndOverdueAt(episode({ reachedAt: judgedAt }), Date.parse(judgedAt), true)).toBe(false);
    expect(openAndOverdueAt(episode({ endedAt: judgedAt }), Date.parse(judgedAt), true)).toBe(false);
    expect(openAndOverdueAt(episode(), Date.parse(judgedAt), true)).toBe(true);
  });

  it('not open when reached or ended before the instant, or not yet due', () => {
    expect(openAndOverdueAt(episode({ reachedAt: '2026-03-31T23:59:59+08:00' }), monthEnd)).toBe(false);
    expect(openAndOverdueAt(episode({ endedAt: '2026-03-25T00:00:00+08:00' }), monthEnd)).toBe(false);
    expect(openAndOverdueAt(episode({ dueAt: '2026-04-01T00:00:00+08:00' }), monthEnd)).toBe(false);
  });
});

describe('daysOverdue', () => {
  const monthEnd = Date.parse('2026-04-01T00:00:00+08:00');

  it('rounds up: an hour reads 1, 7 days 14 hours reads 8, exactly 2 days reads 2', () => {
    expect(daysOverdue('2026-03-31T23:00:00+08:00', monthEnd)).toBe(1);
    expect(daysOverdue('2026-03-24T10:00:00+08:00', monthEnd)).toBe(8);
    expect(daysOverdue('2026-03-30T00:00:00+08:00', monthEnd)).toBe(2);
  });
});

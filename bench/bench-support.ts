import Database from 'better-sqlite3';

/** Small helpers shared by the benchmark scripts. */

/** A positive number from the environment, or `fallback` when the variable is unset. */
export function positiveNumberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function perSecond(count: number, elapsedMs: number): number {
  return count / (elapsedMs / 1000);
}

export function formatRate(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US')}/s`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sortedSamples: Float64Array, fraction: number): number {
  if (sortedSamples.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sortedSamples.length);
  return sortedSamples[Math.min(sortedSamples.length, Math.max(1, rank)) - 1];
}

/** "met" or "MISSED", for a line that states a target next to a figure. */
export function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

/** Milliseconds with a precision that suits the size: 0.84 ms, 12.3 ms, 1,234 ms. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** Samples sorted ascending, for `percentile`. */
export function sortedSamples(samples: readonly number[]): Float64Array {
  return Float64Array.from(samples).sort();
}

/** The median of the samples (nearest rank, as `percentile`). */
export function median(samples: readonly number[]): number {
  return percentile(sortedSamples(samples), 0.5);
}

export interface RawScanResult {
  events: number;
  /** Events whose metadata names a case (everything but the case-number counters). */
  caseEvents: number;
  elapsedMs: number;
}

/**
 * Reads the whole SQLite event log in order and parses each event's JSON (data and metadata):
 * what any replay costs at the least. `upTo` stops at a global position (inclusive).
 */
export function rawLogScan(file: string, upTo?: number): RawScanResult {
  const db = new Database(file, { readonly: true });
  try {
    const started = performance.now();
    let events = 0;
    let caseEvents = 0;
    const sql =
      upTo === undefined
        ? 'SELECT position, stream_id, type, data, metadata FROM events ORDER BY position'
        : 'SELECT position, stream_id, type, data, metadata FROM events WHERE position <= ? ORDER BY position';
    const statement = db.prepare<unknown[], { data: string; metadata: string }>(sql);
    for (const row of upTo === undefined ? statement.iterate() : statement.iterate(upTo)) {
      JSON.parse(row.data);
      // Using a parsed field keeps the parse from being optimised away and mirrors the replay's filter.
      if (typeof (JSON.parse(row.metadata) as { caseId?: unknown }).caseId === 'string') caseEvents += 1;
      events += 1;
    }
    return { events, caseEvents, elapsedMs: performance.now() - started };
  } finally {
    db.close();
  }
}

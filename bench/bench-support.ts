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

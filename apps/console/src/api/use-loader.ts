import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** When the current data arrived (ms since the epoch), for countdowns that keep ticking. */
  loadedAt: number;
  reload(): void;
}

/**
 * Runs `load` whenever `key` changes (and on reload), keeping the last answer on screen while the
 * next one loads; an answer to an outdated key is dropped.
 */
export function useLoader<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean; loadedAt: number }>({
    data: undefined,
    error: undefined,
    loading: true,
    loadedAt: 0,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (data) => current && setState({ data, error: undefined, loading: false, loadedAt: Date.now() }),
      (error: unknown) => current && setState((previous) => ({ ...previous, error, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** Re-renders every `intervalMs` so countdowns stay current. */
export function useTick(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

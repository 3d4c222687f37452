import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { api } from '../api/client';
import { call } from '../api/problems';
import type { components } from '../api/schema';
import { useLoader } from '../api/use-loader';

export type Unit = components['schemas']['UnitDto'];

interface Units {
  units: Unit[];
  loading: boolean;
  /** The unit's name for its code; the code itself for a unit the directory does not know. */
  name(code: string | undefined | null): string;
  reload(): void;
}

const UnitsContext = createContext<Units | null>(null);

/** The directory of handling units (GET /api/units), loaded once per signed-in session. */
export function UnitsProvider({ children }: { children: ReactNode }) {
  const loaded = useLoader('units', async () => (await call(api.GET('/api/units'))).data);
  const value = useMemo<Units>(() => {
    const units = loaded.data ?? [];
    const byCode = new Map(units.map((unit) => [unit.code, unit.name]));
    return {
      units,
      loading: loaded.loading,
      name: (code) => (code === undefined || code === null || code === '' ? '—' : (byCode.get(code) ?? code)),
      reload: loaded.reload,
    };
  }, [loaded.data, loaded.loading, loaded.reload]);
  return <UnitsContext.Provider value={value}>{children}</UnitsContext.Provider>;
}

export function useUnits(): Units {
  const value = useContext(UnitsContext);
  if (value === null) throw new Error('useUnits outside UnitsProvider');
  return value;
}

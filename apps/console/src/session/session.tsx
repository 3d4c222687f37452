import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, authApi, hasSession, onSessionEnded, storeTokens, type SignedInUser } from '../api/client';
import { ApiProblem, call } from '../api/problems';

/** Who is using the console. */
export type Session = { status: 'loading' } | { status: 'signed-out'; expired: boolean } | { status: 'signed-in'; user: SignedInUser };

interface SessionApi {
  session: Session;
  user: SignedInUser | null;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

async function whoAmI(): Promise<Session> {
  if (!hasSession()) return { status: 'signed-out', expired: false };
  try {
    const { data } = await call(api.GET('/api/auth/me'));
    return { status: 'signed-in', user: data };
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) return { status: 'signed-out', expired: true };
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  useEffect(() => {
    let active = true;
    whoAmI()
      .then((found) => active && setSession(found))
      .catch(() => active && setSession({ status: 'signed-out', expired: false }));
    const stop = onSessionEnded(() => setSession({ status: 'signed-out', expired: true }));
    return () => {
      active = false;
      stop();
    };
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    const { data } = await call(authApi.POST('/api/auth/login', { body: { username, password } }));
    storeTokens(data);
    setSession(await whoAmI());
  }, []);

  const signOut = useCallback(async () => {
    // Ends every session of the user on the service; the console forgets its tokens whatever the answer.
    await api.POST('/api/auth/logout').catch(() => undefined);
    storeTokens(null);
    setSession({ status: 'signed-out', expired: false });
  }, []);

  const value = useMemo<SessionApi>(
    () => ({ session, user: session.status === 'signed-in' ? session.user : null, signIn, signOut }),
    [session, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession outside SessionProvider');
  return value;
}

import { loadConfig } from '../apps/case-service/src/config/app-config';
import { TestApp } from './support/test-app';

/*
 * TRUST_PROXY (docs/security.md, "Behind a reverse proxy"): behind nginx every connection comes
 * from the proxy, so sign-in attempts are counted per client only when the service believes the
 * proxy's X-Forwarded-For; without the setting, a client cannot choose its own address by sending
 * the header.
 */

/** Attempts per username per minute; an address may make four times as many. */
const PER_USER = 2;
const PER_ADDRESS = PER_USER * 4;

describe('the sign-in limiter behind a reverse proxy', () => {
  /** A failed sign-in as the proxy would forward it, for a client at `client`, under a username of its own. */
  function attempt(t: TestApp, client: string, n: number) {
    return t.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', client)
      .send({ username: `nobody-${client}-${n}`, password: 'not-the-password' });
  }

  async function statusesAfterOneClientUsesItsShare(env: Record<string, string>): Promise<{ same: number; other: number }> {
    const t = await TestApp.start({ env: { LOGIN_ATTEMPTS_PER_MINUTE: String(PER_USER), ...env } });
    try {
      for (let n = 0; n < PER_ADDRESS; n++) expect((await attempt(t, '203.0.113.7', n)).status).toBe(401);
      return { same: (await attempt(t, '203.0.113.7', PER_ADDRESS)).status, other: (await attempt(t, '198.51.100.9', 0)).status };
    } finally {
      await t.stop();
    }
  }

  it('with TRUST_PROXY, counts each client forwarded by the proxy on its own', async () => {
    expect(await statusesAfterOneClientUsesItsShare({ TRUST_PROXY: 'loopback' })).toEqual({ same: 429, other: 401 });
  });

  it('without it, counts the connection’s address, whatever X-Forwarded-For claims', async () => {
    expect(await statusesAfterOneClientUsesItsShare({})).toEqual({ same: 429, other: 429 });
  });

  it('reads a number of proxies or their addresses, and refuses trusting every hop', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY.*'true'/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });
});

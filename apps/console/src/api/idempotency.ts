/** A random v4 UUID; `crypto.randomUUID` exists only on HTTPS or localhost, `getRandomValues` everywhere. */
export function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One Idempotency-Key per distinct request body: a second click or a retry after a lost answer
 * replays the first answer instead of registering twice, while an edited body is a new request.
 */
export class IdempotencyKeys {
  private last: { body: string; key: string } | null = null;

  keyFor(body: unknown): string {
    const serialized = JSON.stringify(body);
    if (this.last === null || this.last.body !== serialized) this.last = { body: serialized, key: randomUuid() };
    return this.last.key;
  }

  reset(): void {
    this.last = null;
  }
}

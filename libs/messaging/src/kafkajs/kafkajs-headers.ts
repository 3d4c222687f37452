import type { IHeaders } from 'kafkajs';
import type { MessageHeader } from '../messaging.port';

/** Headers as kafkajs sends them: a name given more than once becomes an array, in order. */
export function toKafkaJsHeaders(headers: readonly MessageHeader[] | undefined): IHeaders | undefined {
  if (!headers || headers.length === 0) return undefined;
  const result: Record<string, Buffer | Buffer[]> = {};
  for (const { name, value } of headers) {
    const existing = result[name];
    if (existing === undefined) result[name] = value;
    else result[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/** Headers as kafkajs delivers them, back to the port's ordered list. */
export function fromKafkaJsHeaders(headers: IHeaders | undefined): MessageHeader[] {
  if (!headers) return [];
  const result: MessageHeader[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      result.push({ name, value: Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8') });
    }
  }
  return result;
}

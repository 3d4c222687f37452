import { KurrentDbStandIn } from '../../../../test/kurrentdb-stand-in';
import { describeEventStoreContract } from '../contract';
import { openKurrentDbEventStore } from './index';

// The contract's assertions live in describeEventStoreContract; this file supplies the store,
// driven through the real client. With KURRENTDB_URL set it runs against that server (every
// test uses fresh streams, so a shared server is fine); otherwise against the test stand-in,
// which speaks KurrentDB's gRPC protocol over an in-memory log.
const serverUrl = process.env.KURRENTDB_URL;
let standIn: KurrentDbStandIn | undefined;

beforeAll(async () => {
  if (!serverUrl) standIn = await KurrentDbStandIn.start();
});

afterAll(async () => {
  await standIn?.stop();
});

describeEventStoreContract(serverUrl ? `KurrentDB at KURRENTDB_URL` : 'KurrentDB (test stand-in)', async () => {
  const url = serverUrl ?? standIn?.url;
  if (!url) throw new Error('The KurrentDB stand-in did not start');
  const store = await openKurrentDbEventStore(url);
  return { store, cleanup: () => store.close() };
});

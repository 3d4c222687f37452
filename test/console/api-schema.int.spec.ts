import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serviceOpenApiDocument } from '../../apps/console/scripts/export-openapi';
import { repositoryRoot } from '../support/child-service';

const run = promisify(execFile);

// The console's client is typed by apps/console/src/api/schema.d.ts, generated from the service's
// OpenAPI document. A route, body or answer changed without regenerating it would let the console
// compile against an API the service no longer has. openapi-typescript loads ES modules that jest's
// module system cannot, so the comparison runs in a plain Node process.
describe('the console’s generated API types', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'console-api-schema-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('match the OpenAPI document the service serves now', async () => {
    const documentFile = join(folder, 'openapi.json');
    writeFileSync(documentFile, JSON.stringify(await serviceOpenApiDocument()));
    const checked = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join('apps', 'console', 'scripts', 'generate-api-schema.ts'), '--check', documentFile],
      { cwd: repositoryRoot(), env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json' } },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${error.stderr || error.stdout || error.message}`);
    });
    expect(checked.stdout).toContain('matches the document');
  });
});

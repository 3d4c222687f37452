import { readFileSync } from 'node:fs';
import { API_SCHEMA_FILE, committedApiSchema, renderApiSchema, writeApiSchema } from './api-schema';

/**
 * `npm run console:api`: regenerates apps/console/src/api/schema.d.ts from the service's current
 * OpenAPI document (the service is started in-process), or from a saved document given as an
 * argument. With `--check`, writes nothing and exits 1 when the committed file differs.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const saved = args.find((arg) => arg !== '--check');
  const document: unknown =
    saved === undefined ? await (await import('./export-openapi')).serviceOpenApiDocument() : JSON.parse(readFileSync(saved, 'utf8'));
  const rendered = await renderApiSchema(document);
  if (check) {
    if (rendered !== committedApiSchema()) {
      console.error(`${API_SCHEMA_FILE} is stale: run \`npm run console:api\` and commit the result`);
      process.exit(1);
    }
    console.log(`${API_SCHEMA_FILE} matches the document`);
    return;
  }
  writeApiSchema(rendered);
  console.log(`Wrote ${API_SCHEMA_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderStateMachine } from './lifecycle-rules.doc';

const DOC = join(__dirname, '../../../../docs/domain/state-machine.md');

describe('docs/domain/state-machine.md', () => {
  it('is the rendering of the lifecycle rules the service checks', () => {
    const rendered = renderStateMachine();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as web from '../../src/gateway/web.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every module reachable from `entry` through relative runtime imports. */
function runtimeGraph(entry: string): { files: string[]; imports: string[] } {
  const files = new Set<string>();
  const imports: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) {
      const [, typeOnly, specifier = ''] = match;
      if (typeOnly) continue;
      imports.push(`${relative(root, file)} → ${specifier}`);
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(resolve(root, entry));
  return { files: [...files], imports };
}

describe('gateway web entry', () => {
  it('reaches no node:* module and no browser layer, so it runs in Workers', () => {
    const { files, imports } = runtimeGraph('src/gateway/web.ts');
    assert.ok(files.length > 10);
    assert.deepEqual(
      imports.filter((line) => /→ node:|element|markdown/.test(line)),
      [],
    );
    assert.equal(typeof web.createChatHandler, 'function');
  });

  it('the full entry never imports browser layers either', () => {
    const { imports } = runtimeGraph('src/gateway/index.ts');
    assert.deepEqual(
      imports.filter((line) => /→ \.\.\/(element|markdown|transport)/.test(line)),
      [],
    );
  });
});

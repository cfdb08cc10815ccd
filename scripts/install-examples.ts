/**
 * Installs every example app in examples/ from its committed lock file (`npm ci`), one after
 * the other. Each example depends on this package as `file:../..` and installs it the way a
 * registry install would (`install-links=true` in its .npmrc): a copy of what `files` publishes,
 * so the repository root must be built first (`npm run test:examples` does that).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

if (!existsSync('dist/llm-chat.js')) throw new Error('dist/ is missing: run `npm run build` first.');

const examples = readdirSync('examples', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join('examples', entry.name, 'package-lock.json')))
  .map((entry) => entry.name);

for (const example of examples) {
  const started = Date.now();
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: join('examples', example), stdio: 'inherit' });
  console.log(`examples/${example}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

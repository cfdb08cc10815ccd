/**
 * The subjects' pages and the scripts they load. Every page loads the probe first (a classic
 * script, so it runs before any subject code), then its subject:
 *
 * - `llm-chat`: the built embed from `/embed/llm-chat.js`, under a strict CSP with Trusted
 *   Types (the production configuration the README recommends);
 * - `naive-delta`, `naive-frame`: scripts/bench/naive-page.ts;
 * - `deep-chat`: scripts/bench/deep-chat-page.ts.
 *
 * Parameters travel in the page URL (`answer`, `mode`, `transcript`) and reach the scripts
 * as `<meta>` tags.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { SubjectName } from './subjects.js';
import { SUBJECTS } from './subjects.js';

const here = dirname(fileURLToPath(import.meta.url));

async function bundle(entry: string, format: 'esm' | 'iife'): Promise<string> {
  const result = await build({
    entryPoints: [resolve(here, entry)],
    bundle: true,
    format,
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    conditions: ['production'],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return output.text;
}

/** The scripts served at the root, by file name. */
export async function bundleScripts(): Promise<Record<string, string>> {
  const [probe, naive, deepChat] = await Promise.all([
    bundle('probe.ts', 'iife'),
    bundle('naive-page.ts', 'esm'),
    bundle('deep-chat-page.ts', 'esm'),
  ]);
  return { 'probe.js': probe, 'naive.js': naive, 'deep-chat.js': deepChat };
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * @param name - a subject
 * @param query - `answer` (id), `mode` (`paced` | `firehose`), `transcript` (messages restored)
 * @returns the page's HTML, or `undefined` for an unknown subject
 */
export function renderPage(name: string, query: URLSearchParams): string | undefined {
  if (!SUBJECTS.includes(name as SubjectName)) return undefined;
  const subject = name as SubjectName;
  const format = subject === 'deep-chat' ? 'deep-chat' : 'openai';
  const endpoint = `/api/${format}?answer=${encodeURIComponent(query.get('answer') ?? '')}&mode=${query.get('mode') === 'firehose' ? 'firehose' : 'paced'}`;
  const transcript = Number(query.get('transcript') ?? 0);
  const metas = [
    ['bench-subject', subject],
    ['bench-endpoint', endpoint],
    ['bench-transcript', String(transcript)],
  ]
    .map(([key, value]) => `<meta name="${key}" content="${escapeAttribute(value ?? '')}">`)
    .join('');
  const scripts: Record<SubjectName, string> = {
    'llm-chat': '<script type="module" src="/embed/llm-chat.js"></script>',
    'naive-delta': '<script type="module" src="/naive.js"></script>',
    'naive-frame': '<script type="module" src="/naive.js"></script>',
    'deep-chat': '<script type="module" src="/deep-chat.js"></script>',
  };
  // The transcript, when there is one, is in sessionStorage before the page loads (as after a
  // reload): under llm-chat's own key, with persistence on, for the element.
  const body =
    subject === 'llm-chat'
      ? `<llm-chat endpoint="${escapeAttribute(endpoint)}" ${transcript > 0 ? 'persist-key="bench"' : 'persist="none"'}></llm-chat>`
      : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench: ${subject}</title>${metas}
<link rel="stylesheet" href="/bench.css"><script src="/probe.js"></script>${scripts[subject]}</head><body>${body}</body></html>`;
}

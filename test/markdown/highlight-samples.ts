/** One name per grammar of the highlighter. */
export type SampleLanguage =
  | 'bash'
  | 'c'
  | 'cpp'
  | 'csharp'
  | 'css'
  | 'diff'
  | 'dockerfile'
  | 'go'
  | 'ini'
  | 'java'
  | 'javascript'
  | 'json'
  | 'markdown'
  | 'php'
  | 'python'
  | 'ruby'
  | 'rust'
  | 'console'
  | 'sql'
  | 'typescript'
  | 'xml'
  | 'yaml';

/** A short, typical snippet per grammar, as a chat model writes them. */
export const SAMPLES: Record<SampleLanguage, string> = {
  bash: '#!/usr/bin/env bash\nset -euo pipefail\nfor file in *.log; do\n  echo "Rotating $file"  # keep one\n  gzip -9 "$file"\ndone\n',
  c: '#include <stdio.h>\n\nint main(void) {\n  int count = 42; /* answer */\n  printf("%d\\n", count);\n  return 0;\n}\n',
  cpp: '#include <vector>\n\ntemplate <typename T>\nT sum(const std::vector<T>& xs) {\n  T total{}; // zero\n  for (auto x : xs) total += x;\n  return total;\n}\n',
  csharp:
    'using System;\n\npublic class Greeter {\n  public string Name { get; init; } = "world";\n  // Says hello.\n  public void Greet() => Console.WriteLine($"Hello, {Name}!");\n}\n',
  css: '.card > h2::before {\n  content: "→";\n  color: #2563eb; /* accent */\n  margin-inline: 0.5rem;\n}\n@media (min-width: 40em) { .card { display: grid; } }\n',
  diff: 'diff --git a/api.ts b/api.ts\n--- a/api.ts\n+++ b/api.ts\n@@ -1,3 +1,3 @@\n export function load() {\n-  return fetchJson();\n+  return retry(fetchJson);\n }\n',
  dockerfile:
    'FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n# Run as a non-root user.\nUSER node\nCMD ["node", "server.js"]\n',
  go: 'package main\n\nimport "fmt"\n\n// Add returns the sum.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n\nfunc main() { fmt.Println(Add(40, 2)) }\n',
  ini: '[package]\nname = "llm-chat"\nversion = "0.1.0"\n# A comment\nedition = 2021\n\n[dependencies]\nserde = { version = "1", features = ["derive"] }\n',
  java: 'import java.util.List;\n\npublic final class Stats {\n  /** The mean. */\n  public static double mean(List<Integer> xs) {\n    return xs.stream().mapToInt(Integer::intValue).average().orElse(0.0);\n  }\n}\n',
  javascript:
    "import { readFile } from 'node:fs/promises';\n\n// Count words in a file.\nexport async function count(path) {\n  const text = await readFile(path, 'utf8');\n  return text.split(/\\s+/).filter(Boolean).length;\n}\nconst el = <Answer count={42} />;\n",
  json: '{\n  "model": "gpt-4o-mini",\n  "stream": true,\n  "temperature": 0.2,\n  "messages": [{ "role": "user", "content": "Hi" }],\n  "stop": null\n}\n',
  markdown:
    '# Setup\n\nInstall with **npm**:\n\n- `npm install llm-chat`\n- then read [the docs](https://example.com)\n\n> Note: keys stay on the server.\n',
  php: '<?php\n\nnamespace App;\n\nfunction greet(string $name): string {\n    // Greets someone.\n    return "Hello, {$name}!";\n}\n\necho greet("world");\n',
  python:
    'from dataclasses import dataclass\n\n\n@dataclass\nclass Point:\n    x: float = 0.0\n    y: float = 0.0\n\n\ndef norm(points):\n    """Largest distance from the origin."""\n    best = 0\n    for p in points:\n        best = max(best, (p.x ** 2 + p.y ** 2) ** 0.5)  # pythagoras\n    return best\n',
  ruby: "require 'json'\n\n# A tiny client.\nclass Client\n  attr_reader :base\n\n  def initialize(base = 'https://example.com')\n    @base = base\n  end\nend\n",
  rust: 'use std::collections::HashMap;\n\n/// Counts words.\nfn count(text: &str) -> HashMap<&str, usize> {\n    let mut map = HashMap::new();\n    for word in text.split_whitespace() {\n        *map.entry(word).or_insert(0) += 1;\n    }\n    map\n}\n',
  console: '$ npm test\n> llm-chat@0.1.0 test\n> npm run typecheck\n\n$ echo "done"\ndone\n',
  sql: "-- Active users\nSELECT u.id, u.name, COUNT(o.id) AS orders\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE u.active = TRUE AND u.created_at > '2024-01-01'\nGROUP BY u.id, u.name\nLIMIT 10;\n",
  typescript:
    "// Retries with full jitter.\nexport async function retry<T>(run: () => Promise<T>, attempts = 3): Promise<T> {\n  const base = 500;\n  for (let attempt = 0; ; attempt++) {\n    try {\n      return await run();\n    } catch (error) {\n      if (attempt >= attempts) throw error;\n      await sleep(Math.random() * base * 2 ** attempt, 'https://example.com');\n    }\n  }\n}\n",
  xml: '<!doctype html>\n<section class="card" data-id="7">\n  <h2>Title</h2>\n  <!-- a comment -->\n  <script>\n    const answer = 42;\n  </script>\n</section>\n',
  yaml: '# CI\nname: test\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm ci\n      - run: npm test\n    timeout-minutes: 30\n',
};

/**
 * About `lines` lines of realistic code, with multi-line comments and strings spread through
 * it so that some cuts between runs fall inside them.
 */
export function longCode(lines: number, grammar: 'typescript' | 'python' | 'xml' = 'typescript'): string {
  const out: string[] = [];
  for (let i = 0; out.length < lines; i++) {
    if (grammar === 'python') {
      out.push(
        `def handler_${i}(request, *, timeout=${i}.5):`,
        `    """Handle request ${i}.`,
        '',
        '    Returns the decoded body.',
        '    """',
        `    url = f"https://example.com/{request.path}?n=${i}"`,
        '    return requests.get(url, timeout=timeout).json()  # remote',
        '',
      );
    } else if (grammar === 'xml') {
      out.push(
        `<section class="card" data-n="${i}">`,
        `  <h2>Item ${i}</h2>`,
        '  <!-- a comment',
        '       over two lines -->',
        `  <p>Paragraph <em>${i}</em> &amp; more</p>`,
        '</section>',
      );
    } else {
      out.push(
        `// Step ${i}.`,
        `export async function handler${i}(request: Request, { signal }: { signal?: AbortSignal } = {}): Promise<unknown> {`,
        `  const url = new URL(request.url, 'https://example.com/' + ${i});`,
        '  /* fetch the thing,',
        '     then decode it */',
        `  const response = await fetch(url, { signal, headers: { 'x-id': \`\${${i}}\` } });`,
        '  if (!response.ok) throw new Error(`status',
        '    ${response.status}`);',
        '  return response.json();',
        '}',
      );
    }
  }
  return `${out.slice(0, lines).join('\n')}\n`;
}

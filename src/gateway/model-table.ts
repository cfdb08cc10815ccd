/**
 * Looks a model up in a table keyed by model family, the way provider ids actually look:
 * `gpt-4o-mini-2024-07-18`, `models/gemini-2.5-flash`, `us.anthropic.claude-sonnet-4-20250514-v1:0`,
 * an inference-profile ARN ending in one of those. An exact key wins; otherwise the longest key
 * found in the id where it starts at a segment boundary (start, `.`, `/`, `:`) and ends at one
 * (end, `-`, `:`, `@`, `.`), so `gpt-4o` does not match `gpt-4o-mini` when both are keys, and
 * `o3` does not match inside another name.
 *
 * @param table - Entries by model family.
 * @param model - A model id, profile id or ARN.
 * @returns The entry and its key, or `undefined`.
 */
export function lookupModel<T>(table: Readonly<Record<string, T>>, model: string): { key: string; value: T } | undefined {
  const id = model.toLowerCase();
  const exact = table[id];
  if (exact !== undefined) return { key: id, value: exact };
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    const lower = key.toLowerCase();
    if (best !== undefined && lower.length <= best.length) continue;
    let from = id.indexOf(lower);
    while (from !== -1) {
      const before = from === 0 ? '' : (id[from - 1] ?? '');
      const after = id[from + lower.length] ?? '';
      if ((before === '' || './:'.includes(before)) && (after === '' || '-:@.'.includes(after))) {
        best = key;
        break;
      }
      from = id.indexOf(lower, from + 1);
    }
  }
  return best === undefined ? undefined : { key: best, value: table[best] as T };
}

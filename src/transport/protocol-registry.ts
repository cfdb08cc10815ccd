import { createOpenAIAdapter } from './openai-adapter.js';
import type { ProtocolAdapter } from './protocol-adapter.js';

type Loader = () => Promise<ProtocolAdapter>;

/**
 * Protocols by name. The default (`openai`) is part of every bundle; the others are loaded on
 * demand, so a page that never sets `protocol` never downloads them (each is its own chunk,
 * resolved relative to the bundle's own URL).
 */
const loaded = new Map<string, ProtocolAdapter>([['openai', createOpenAIAdapter()]]);
const loaders = new Map<string, Loader>([
  ['ai-sdk', () => import('./ai-sdk-adapter.js').then((m) => m.createAiSdkAdapter())],
  ['anthropic', () => import('./anthropic-adapter.js').then((m) => m.createAnthropicAdapter())],
  ['ndjson', () => import('./ndjson-adapter.js').then((m) => m.createNdjsonAdapter())],
  ['text', () => import('./text-adapter.js').then((m) => m.createTextAdapter())],
]);

/**
 * Makes a protocol available to the element's `protocol` attribute by its `name`.
 * @param adapter - The adapter; registering a name twice replaces the earlier one.
 */
export function registerProtocolAdapter(adapter: ProtocolAdapter): void {
  loaded.set(adapter.name, adapter);
  loaders.delete(adapter.name);
}

/**
 * @param name - A protocol name, e.g. `openai`.
 * @returns The adapter if it is already loaded, else `undefined` (see {@link loadProtocolAdapter}).
 */
export function getProtocolAdapter(name: string): ProtocolAdapter | undefined {
  return loaded.get(name);
}

/**
 * Loads a protocol's adapter (once) and returns it.
 * @param name - A protocol name.
 * @returns The adapter, or `undefined` when no protocol has that name.
 * @throws When the adapter's chunk fails to load (a network error; a later call tries again).
 */
export async function loadProtocolAdapter(name: string): Promise<ProtocolAdapter | undefined> {
  const ready = loaded.get(name);
  if (ready) return ready;
  const load = loaders.get(name);
  if (!load) return undefined;
  const adapter = await load();
  loaded.set(name, adapter);
  return adapter;
}

/** Every protocol name that can be used, loaded or not. */
export function knownProtocols(): string[] {
  return [...new Set([...loaded.keys(), ...loaders.keys()])].sort();
}

import { createOpenAIAdapter } from './openai-adapter.js';
import type { ProtocolAdapter } from './protocol-adapter.js';

const adapters = new Map<string, ProtocolAdapter>([['openai', createOpenAIAdapter()]]);

/**
 * Makes a protocol available to the element's `protocol` attribute by its `name`.
 * @param adapter - The adapter; registering a name twice replaces the earlier one.
 */
export function registerProtocolAdapter(adapter: ProtocolAdapter): void {
  adapters.set(adapter.name, adapter);
}

/**
 * @param name - A protocol name, e.g. `openai`.
 * @returns The adapter, or `undefined` when no protocol has that name.
 */
export function getProtocolAdapter(name: string): ProtocolAdapter | undefined {
  return adapters.get(name);
}

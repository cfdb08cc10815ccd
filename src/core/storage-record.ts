import type { ChatMessage, ChatMessageStatus, ChatRole } from './types.js';

/**
 * The persisted form of one chat's transcript (`llm-chat:<key>:transcript`), in memory.
 * Besides the messages it carries what two tabs need to merge their writes without losing
 * or duplicating anything: a revision per live message and a tombstone revision per
 * removed one.
 */
export interface StoredTranscript {
  /** Live messages in display order. */
  messages: ChatMessage[];
  /** Revision of each live message; a missing entry counts as 0. */
  revisions: Record<string, number>;
  /** Revision at which a message was removed, so another tab's stale copy does not bring it back. */
  deleted: Record<string, number>;
}

/** The version written into every record; anything else is set aside as unreadable. */
export const STORED_TRANSCRIPT_VERSION = 1;

/**
 * Tombstones kept per chat. Each is a few dozen bytes; past this many the lowest revisions go
 * first, as only a tab that still shows such an old message could bring it back.
 */
export const MAX_TOMBSTONES = 500;

const ROLES: ReadonlySet<ChatRole> = new Set(['system', 'user', 'assistant', 'tool']);
const STATUSES: ReadonlySet<ChatMessageStatus> = new Set([
  'pending',
  'streaming',
  'complete',
  'truncated',
  'filtered',
  'tool_calls',
  'stopped',
  'interrupted',
  'error',
]);

/** An empty record, for a chat with nothing stored. */
export function emptyStoredTranscript(): StoredTranscript {
  return { messages: [], revisions: {}, deleted: {} };
}

/**
 * Reads a stored value. Accepts the versioned record and, for pages that seed storage by
 * hand, a bare array of messages.
 *
 * @param raw - The string found in storage.
 * @returns The record, or `undefined` when the string is not JSON or not the expected shape
 *   (the caller sets it aside as corrupted; nothing here throws).
 */
export function parseStoredTranscript(raw: string): StoredTranscript | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  let list: unknown;
  let revisions: Record<string, number> | undefined = {};
  let deleted: Record<string, number> | undefined = {};
  if (Array.isArray(value)) {
    list = value;
  } else if (isObject(value) && value['version'] === STORED_TRANSCRIPT_VERSION) {
    list = value['messages'];
    revisions = value['revisions'] === undefined ? {} : revisionMap(value['revisions']);
    deleted = value['deleted'] === undefined ? {} : revisionMap(value['deleted']);
  } else {
    return undefined;
  }
  if (!Array.isArray(list) || !revisions || !deleted) return undefined;
  const messages: ChatMessage[] = [];
  const ids = new Set<string>();
  for (const item of list) {
    if (!isChatMessage(item)) return undefined;
    // A duplicated id can only come from a hand-edited value; the first copy is kept rather
    // than setting the whole history aside.
    if (ids.has(item.id)) continue;
    ids.add(item.id);
    messages.push(item);
  }
  return { messages, revisions, deleted };
}

/**
 * Writes a record as the JSON stored under `llm-chat:<key>:transcript`.
 *
 * @param record - What to store.
 * @returns `{version: 1, messages, revisions, deleted?}` as a string.
 */
export function serializeStoredTranscript(record: StoredTranscript): string {
  const { messages, revisions, deleted } = record;
  return JSON.stringify({
    version: STORED_TRANSCRIPT_VERSION,
    messages,
    revisions,
    ...(Object.keys(deleted).length > 0 ? { deleted } : {}),
  });
}

/**
 * Merges two views of the same chat, message by message.
 *
 * For each id the highest revision wins, counting a tombstone as a revision; on a tie a
 * tombstone beats a live copy (a removal is deliberate) and between two different live copies
 * the one whose canonical JSON sorts last wins, so every tab picks the same one. The order is
 * `incoming`'s; a message only `base` has goes after the message that precedes it in `base`,
 * and after any messages only `incoming` has that were created no later than it, so two tabs
 * that each appended messages end up interleaved by time, while messages created in the same
 * millisecond (a user message and its answer) keep their order. Ids are random, so they could
 * not break such ties. Merging is deterministic
 * and idempotent: `merge(b, merge(b, i))` equals `merge(b, i)`.
 *
 * @param base - The older or other view (the stored value when writing, this tab's view when
 *   another tab wrote).
 * @param incoming - The newer view, whose order leads.
 * @returns A new record; message objects are shared with the inputs, never modified.
 */
export function mergeStoredTranscripts(base: StoredTranscript, incoming: StoredTranscript): StoredTranscript {
  const baseLive = new Map(base.messages.map((m) => [m.id, m]));
  const incomingLive = new Map(incoming.messages.map((m) => [m.id, m]));
  const ids = new Set([...baseLive.keys(), ...incomingLive.keys(), ...Object.keys(base.deleted), ...Object.keys(incoming.deleted)]);

  const winners = new Map<string, ChatMessage>();
  const revisions: Record<string, number> = {};
  let deleted: Record<string, number> = {};
  for (const id of ids) {
    const live = pickLive(baseLive.get(id), base.revisions[id] ?? 0, incomingLive.get(id), incoming.revisions[id] ?? 0);
    const tombstone = maxDefined(base.deleted[id], incoming.deleted[id]);
    if (tombstone !== undefined && (live === undefined || tombstone >= live.revision)) {
      deleted[id] = tombstone;
    } else if (live !== undefined) {
      winners.set(id, live.message);
      revisions[id] = live.revision;
    }
  }

  const order: ChatMessage[] = [];
  for (const message of incoming.messages) {
    const winner = winners.get(message.id);
    if (winner) order.push(winner);
  }
  let anchor = -1;
  for (const message of base.messages) {
    const winner = winners.get(message.id);
    if (!winner) continue;
    if (incomingLive.has(message.id)) {
      anchor = order.indexOf(winner);
      continue;
    }
    let at = anchor + 1;
    while (at < order.length) {
      const next = order[at] as ChatMessage;
      if (baseLive.has(next.id) || next.createdAt > winner.createdAt) break;
      at++;
    }
    order.splice(at, 0, winner);
    anchor = at;
  }

  const tombstones = Object.entries(deleted);
  if (tombstones.length > MAX_TOMBSTONES) {
    tombstones.sort(([a, ra], [b, rb]) => rb - ra || (a < b ? -1 : a > b ? 1 : 0));
    deleted = Object.fromEntries(tombstones.slice(0, MAX_TOMBSTONES));
  }
  return { messages: order, revisions, deleted };
}

/**
 * JSON with object keys sorted, so two copies of a message compare equal whatever order their
 * fields were created in. `undefined` fields are left out, as `JSON.stringify` does.
 *
 * @param value - Any JSON-compatible value.
 * @returns Its canonical JSON text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, current: unknown) => {
    if (!isObject(current)) return current;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(current).sort()) sorted[key] = current[key];
    return sorted;
  });
}

function pickLive(
  a: ChatMessage | undefined,
  aRevision: number,
  b: ChatMessage | undefined,
  bRevision: number,
): { message: ChatMessage; revision: number } | undefined {
  if (!a) return b ? { message: b, revision: bRevision } : undefined;
  if (!b || aRevision > bRevision) return { message: a, revision: aRevision };
  if (bRevision > aRevision || a === b) return { message: b, revision: bRevision };
  // Same revision, two writers: a deterministic choice both tabs agree on.
  return canonicalJson(a) > canonicalJson(b) ? { message: a, revision: aRevision } : { message: b, revision: bRevision };
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function revisionMap(value: unknown): Record<string, number> | undefined {
  if (!isObject(value)) return undefined;
  const map: Record<string, number> = {};
  for (const [id, revision] of Object.entries(value)) {
    if (typeof revision !== 'number' || !Number.isFinite(revision) || revision < 0) return undefined;
    map[id] = revision;
  }
  return map;
}

const optional = (value: unknown, type: 'string' | 'number' | 'object'): boolean =>
  value === undefined || (type === 'object' ? isObject(value) : typeof value === type);

/**
 * The shape the element relies on when it renders a restored message: required fields with
 * their types, and optional ones either absent or of the right type, so a hand-edited value
 * cannot make rendering throw.
 */
export function isChatMessage(value: unknown): value is ChatMessage {
  if (!isObject(value)) return false;
  const { id, role, content, status, createdAt, error, toolCalls } = value;
  if (typeof id !== 'string' || id === '' || typeof content !== 'string') return false;
  if (!ROLES.has(role as ChatRole) || !STATUSES.has(status as ChatMessageStatus)) return false;
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return false;
  if (error !== undefined && !(isObject(error) && typeof error['kind'] === 'string' && typeof error['message'] === 'string')) return false;
  if (
    toolCalls !== undefined &&
    !(
      Array.isArray(toolCalls) &&
      toolCalls.every(
        (call) =>
          isObject(call) && typeof call['id'] === 'string' && typeof call['name'] === 'string' && typeof call['arguments'] === 'string',
      )
    )
  ) {
    return false;
  }
  return (
    optional(value['finishReason'], 'string') &&
    optional(value['reasoning'], 'string') &&
    optional(value['regenerations'], 'number') &&
    optional(value['metrics'], 'object')
  );
}

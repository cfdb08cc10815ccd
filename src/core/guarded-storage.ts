import type { Clock } from './clock.js';

/** Where a chat survives: this tab (`session`), browser restarts (`local`), or nowhere (`none`). */
export type PersistMode = 'session' | 'local' | 'none';

/**
 * Why history is not being saved: storage is full (`quota`), blocked by the browser or the
 * page's sandbox (`disabled`), or held a value that could not be read (`corrupted`; it was
 * set aside and saving goes on).
 */
export type StorageUnavailableReason = 'quota' | 'disabled' | 'corrupted';

export interface GuardedStorageOptions {
  mode: PersistMode;
  /** The storage to use instead of `sessionStorage`/`localStorage`, or a function returning it. */
  storage?: Storage | (() => Storage);
  clock: Clock;
  /** Unreadable values are kept under `<corruptPrefix><name>:<time>`. */
  corruptPrefix: string;
  /** Called once, the first time storage fails or held unreadable data. */
  onUnavailable?: (reason: StorageUnavailableReason) => void;
}

/** After storage was full, transcript writes are tried again this often (space may be freed). */
const QUOTA_RETRY_MS = 30_000;

/**
 * Web Storage with every way it fails turned into a state instead of an exception.
 *
 * A browser may refuse storage outright (a sandboxed frame throws a `SecurityError` just for
 * asking), refuse a write because it is full (each engine names that differently), or hand
 * back a value some other code broke. None of that may break a chat: each call here returns
 * what it could do, the first failure is reported once, and a full storage is tried again
 * now and then (space may be freed). `none` mode never touches a storage API.
 */
export class GuardedStorage {
  private area: Storage | undefined;
  private failure: 'quota' | 'disabled' | undefined;
  private reported = false;
  private quotaRetryAt = 0;

  constructor(private readonly options: GuardedStorageOptions) {}

  /** What failed last: `undefined` while storage works. */
  get fault(): 'quota' | 'disabled' | undefined {
    return this.failure;
  }

  /** The storage to use, resolved on first use; `undefined` in `none` mode or once refused. */
  open(): Storage | undefined {
    const { mode, storage } = this.options;
    if (mode === 'none' || this.failure === 'disabled') return undefined;
    if (this.area) return this.area;
    try {
      const area =
        typeof storage === 'function' ? storage() : (storage ?? (mode === 'local' ? globalThis.localStorage : globalThis.sessionStorage));
      // Missing outside a browser; a sandboxed frame throws a SecurityError just for asking.
      if (!area) throw new Error('No Web Storage here.');
      this.area = area;
      return area;
    } catch {
      this.fail('disabled');
      return undefined;
    }
  }

  /** @returns The value, `null` when absent, `undefined` when storage refused (reported). */
  read(storage: Storage, key: string): string | null | undefined {
    try {
      return storage.getItem(key);
    } catch {
      this.fail('disabled');
      return undefined;
    }
  }

  /**
   * Writes a value. When storage is full, the old value of the same key is the only space this
   * chat surely owns: it is removed and the write tried once more; if that fails too, the old
   * value is put back (best effort) and storage is reported full.
   */
  write(storage: Storage, key: string, value: string, previous: string | null | undefined): boolean {
    try {
      storage.setItem(key, value);
      return true;
    } catch (error) {
      if (!isQuotaError(error)) {
        this.fail('disabled');
        return false;
      }
    }
    try {
      storage.removeItem(key);
      storage.setItem(key, value);
      return true;
    } catch {
      try {
        if (typeof previous === 'string') storage.setItem(key, previous);
      } catch {
        // The old value is lost; there was no room for it either.
      }
      this.fail('quota');
      return false;
    }
  }

  remove(storage: Storage, key: string): boolean {
    try {
      storage.removeItem(key);
      return true;
    } catch {
      this.fail('disabled');
      return false;
    }
  }

  /** Keeps an unreadable value under another key (best effort) instead of overwriting it. */
  setAside(storage: Storage, key: string, name: string, raw: string): void {
    this.report('corrupted');
    try {
      const stamp = `${this.options.corruptPrefix}${name}:${Date.now()}`;
      let aside = stamp;
      for (let n = 1; storage.getItem(aside) !== null; n++) aside = `${stamp}-${n}`;
      storage.setItem(aside, raw);
      storage.removeItem(key);
    } catch {
      // No room to keep it: the value stays where it is until the next write replaces it.
    }
  }

  /** Whether a large write is worth trying: storage works, or it was full long enough ago. */
  canWriteLarge(): boolean {
    return this.failure === undefined || (this.failure === 'quota' && this.options.clock.now() >= this.quotaRetryAt);
  }

  /** After a large write: success clears a full storage; failure waits before the next try. */
  settleLarge(written: boolean): void {
    if (this.failure !== 'quota') return;
    if (written) this.failure = undefined;
    else this.quotaRetryAt = this.options.clock.now() + QUOTA_RETRY_MS;
  }

  private fail(reason: 'quota' | 'disabled'): void {
    if (reason === 'disabled') this.failure = 'disabled';
    else if (this.failure !== 'disabled') this.failure = 'quota';
    this.report(reason);
  }

  private report(reason: StorageUnavailableReason): void {
    if (this.reported) return;
    this.reported = true;
    const { onUnavailable } = this.options;
    if (onUnavailable) callSafely(() => onUnavailable(reason));
  }
}

/** Browsers name a full storage differently (Firefox: `NS_ERROR_DOM_QUOTA_REACHED`; old WebKit: code 22). */
function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/**
 * Page callbacks run outside the store's own control flow: a throwing callback is reported as
 * an uncaught error instead of breaking the save that triggered it.
 */
export function callSafely(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

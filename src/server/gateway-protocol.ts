// What the main thread and the gateway listener's thread (gateway-worker.ts) tell each other.
import type { ActionLine } from '../act/action-out.js';
import type { Decision } from './decision-answer.js';
import type { KeyDigest } from './keys.js';

/** Slots of the shared health array (Float64Array over a SharedArrayBuffer), written by the main thread. */
export const HEALTH = { heartbeat: 0, backlog: 1, overloaded: 2, failed: 3, size: 4 } as const;

export interface GatewayInit {
  host: string;
  port: number;
  /** Null: no authentication (`serve --no-auth`). */
  keys: KeyDigest[] | null;
  /** The table when the listener starts: decisions other than allow, and the policy label of the rest. */
  decisions: Decision[];
  policy: string;
  /** Recent enforced changes, for a stream resumed with Last-Event-ID; at most `changesKept`. */
  recent: { seq: number; line: ActionLine }[];
  changesKept: number;
  health: SharedArrayBuffer;
  /** /healthz answers 503 `stalled` once the main thread's heartbeat is older than this. */
  stalledAfterMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** Main → listener: decision changes and policy labels in the order they happened; a fatal failure; close. */
export type GatewayMessage =
  | { type: 'changes'; changes: ({ seq: number; line: ActionLine } | { policy: string })[] }
  | { type: 'failure'; message: string }
  | { type: 'close' };

/** Listener → main. */
export type WorkerReport =
  | { type: 'listening'; url: string }
  | { type: 'listen-failed'; message: string }
  | { type: 'loop'; maxMs: number }
  | { type: 'error'; message: string };

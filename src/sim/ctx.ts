// What every actor sees: parameters, the world, text sources, the window, and helpers to
// make accounts and pick models. Plus the diurnal curves people keep.
import { HOUR } from '../core/time.js';
import type { Plan, Verification } from '../core/records.js';
import { MODELS, NEW_MODEL } from './catalog.js';
import type { Texts } from './corpus.js';
import type { Group, Label, SimAccount, SimEvent } from './exchange.js';
import { opaqueId } from './ids.js';
import type { SimParams } from './params.js';
import type { Rng } from './rng.js';
import type { World } from './world.js';

export type CampaignKind = 'farm' | 'hydra' | 'trace_harvest' | 'evasive' | 'pivot' | 'hidden';

export interface Ctx {
  p: SimParams;
  world: World;
  texts: Texts;
  root: Rng;
  /** Window [start, end), epoch ms. */
  start: number;
  end: number;
  days: number;
  /** UTC midnight at or before start: day 0 of the calendar. */
  day0: number;
  /** When the new model is released. */
  release: number;
  scale: number;
  /**
   * One operation seen by several providers (SimOptions.operationSeed): the campaign's infrastructure
   * (client, cards, proxy exits, e-mail domains) is drawn from here, its accounts from the provider's
   * own streams. Absent: everything from the provider's streams (outputs of existing seeds unchanged).
   */
  operation?: { rng: Rng; world: World };
}

/** An actor's contribution: lazily generated, time-ordered event streams. */
export interface Built {
  streams: Iterator<SimEvent>[];
  campaign?: { key: string; kind: CampaignKind };
}

export function scaled(n: number, scale: number, min = 0): number {
  return Math.max(min, Math.round(n * scale));
}

export interface AccountInit {
  label: Label;
  group: Group;
  category: string;
  campaign?: string | null;
  createdAt: number;
  email: string;
  country: string;
  verification: Verification;
  plan: Plan;
  signupIp: string;
  signupUserAgent: string;
  payment?: { fingerprint: string; bin: string };
  orgId?: string;
  links?: Record<string, string>;
}

export function newAccount(r: Rng, init: AccountInit): SimAccount {
  return { id: opaqueId(r, 'acct_'), campaign: null, ...init, emitted: false };
}

export const MODEL_NAMES = MODELS.filter((m) => !m.isNew).map((m) => m.name);

/** Model for one request: an account's usual mix, moving to the new model once it adopted it. */
export function pickModel(r: Rng, mix: readonly number[], t: number, adoptAt: number, newShare = 0.75): string {
  if (t >= adoptAt && r.chance(newShare)) return NEW_MODEL;
  return MODEL_NAMES[r.index(mix)];
}

/** When an account adopts the new model: an exponential wait after release at `perDay`. */
export function adoption(r: Rng, ctx: Ctx, perDay: number): number {
  if (perDay <= 0) return Infinity;
  return ctx.release + r.exp(1 / perDay) * 24 * HOUR;
}

// Relative request intensity by local hour (0-23).
export const HOME_HOURS = [0.5, 0.3, 0.15, 0.08, 0.05, 0.06, 0.15, 0.35, 0.6, 0.8, 0.9, 1, 1, 1, 0.95, 0.95, 0.95, 1, 1.05, 1.15, 1.25, 1.2, 1, 0.75];
export const WORK_HOURS = [0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.15, 0.4, 0.9, 1.3, 1.4, 1.3, 0.9, 1.2, 1.35, 1.3, 1.2, 0.9, 0.5, 0.35, 0.35, 0.3, 0.2, 0.1];
export const STUDENT_HOURS = [0.8, 0.6, 0.35, 0.15, 0.05, 0.05, 0.1, 0.2, 0.45, 0.7, 0.9, 1, 1, 1, 1, 1, 1, 0.95, 0.9, 1, 1.15, 1.25, 1.2, 1];
/** Many end users across the world: a mild wave. */
export const GLOBAL_HOURS = [0.8, 0.75, 0.7, 0.7, 0.75, 0.8, 0.9, 1, 1.1, 1.15, 1.2, 1.2, 1.2, 1.25, 1.3, 1.3, 1.25, 1.2, 1.1, 1.05, 1, 0.95, 0.9, 0.85];

/** A time inside the local day starting at `dayStart`, by hourly weights. */
export function timeInDay(r: Rng, dayStart: number, hours: readonly number[]): number {
  const h = r.index(hours);
  return dayStart + (h + r.float()) * HOUR;
}

/** Weekday (0 = Sunday) of the local day whose UTC calendar index is `d`. */
export function weekday(ctx: Ctx, d: number): number {
  return new Date(ctx.day0 + d * 24 * HOUR).getUTCDay();
}

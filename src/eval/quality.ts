// Detection quality against ground truth: the figures bench:quality prints and compares across commits.
import type { AccountOut, CampaignOut } from '../core/output.js';
import type { Truth } from './truth.js';

export interface Classification {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

export interface CampaignTiming {
  campaign: string;
  kind: string;
  accounts: number;
  /** Hours from the campaign's start to its first flagged account; null if never. */
  first_flag_h: number | null;
  half_flagged_h: number | null;
  ninety_flagged_h: number | null;
  /** Share of the operation's accounts flagged `distillation`. */
  recall: number;
  /** Share of the operation's accounts in the one predicted campaign that holds most of them. */
  completeness: number;
  /** Share of that predicted campaign's accounts that belong to this operation (an operation never
   *  flagged into any campaign has purity 0). */
  purity: number;
  leakage: number;
}

export interface QualityReport {
  accounts: number;
  distillation_accounts: number;
  distillation: Classification;
  distillation_or_suspicious: Classification;
  pr_auc: number;
  organic_fpr: number;
  organic_fpr_by_group: Record<string, { accounts: number; fp: number; fpr: number; suspicious: number }>;
  exchange_recall: number;
  leakage: number;
  campaigns: CampaignTiming[];
  campaign_completeness: number;
  campaign_purity: number;
  /** The worst operation's completeness and purity: attribution fails on the worst one. */
  campaign_completeness_min: number;
  campaign_purity_min: number;
}

export interface Prediction {
  account_id: string;
  score: number;
  verdict: AccountOut['verdict'];
  flagged_at: string | null;
  exchanges: number;
  exchanges_before_flag: number | null;
  campaign_id: string | null;
}

function classify(truth: Truth, preds: Map<string, Prediction>, positive: (p: Prediction) => boolean): Classification {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [id, t] of Object.entries(truth.accounts)) {
    const p = preds.get(id);
    const pos = p ? positive(p) : false;
    if (t.label === 'distillation') {
      if (!p) continue; // accounts that never sent an exchange are not scored
      if (pos) tp++;
      else fn++;
    } else if (pos) fp++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, tp, fp, fn };
}

/** Area under the precision-recall curve (average precision) of `score`. */
export function prAuc(items: { score: number; positive: boolean }[]): number {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const positives = sorted.filter((i) => i.positive).length;
  if (positives === 0) return 1;
  let tp = 0;
  let ap = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].positive) {
      tp++;
      ap += tp / (i + 1);
    }
  }
  return ap / positives;
}

export function evaluate(truth: Truth, predictions: Prediction[], campaigns: Pick<CampaignOut, 'campaign_id' | 'accounts'>[]): QualityReport {
  const preds = new Map(predictions.map((p) => [p.account_id, p]));
  const distillation = classify(truth, preds, (p) => p.verdict === 'distillation');
  const either = classify(truth, preds, (p) => p.verdict !== 'benign');
  const scored = predictions.map((p) => ({ score: p.score, positive: truth.accounts[p.account_id]?.label === 'distillation' }));
  const byGroup: QualityReport['organic_fpr_by_group'] = {};
  let organic = 0;
  let organicFp = 0;
  let campaignEx = 0;
  let flaggedEx = 0;
  let leaked = 0;
  for (const p of predictions) {
    const t = truth.accounts[p.account_id];
    if (!t) continue;
    if (t.label === 'organic') {
      const g = (byGroup[t.group] ??= { accounts: 0, fp: 0, fpr: 0, suspicious: 0 });
      g.accounts++;
      organic++;
      if (p.verdict === 'distillation') {
        g.fp++;
        organicFp++;
      } else if (p.verdict === 'suspicious') g.suspicious++;
    } else {
      campaignEx += p.exchanges;
      if (p.verdict === 'distillation') flaggedEx += p.exchanges;
      leaked += p.exchanges_before_flag ?? p.exchanges;
    }
  }
  for (const g of Object.values(byGroup)) g.fpr = g.accounts ? g.fp / g.accounts : 0;

  const predictedCampaign = new Map<string, string>();
  const campaignSize = new Map<string, number>();
  for (const c of campaigns) {
    campaignSize.set(c.campaign_id, c.accounts.length);
    for (const a of c.accounts) predictedCampaign.set(a, c.campaign_id);
  }
  const timings: CampaignTiming[] = [];
  let completenessSum = 0;
  let puritySum = 0;
  for (const [key, tc] of Object.entries(truth.campaigns)) {
    const members = tc.accounts.filter((a) => preds.has(a));
    if (members.length === 0) continue;
    const start = Date.parse(tc.start);
    const flags = members
      .map((a) => preds.get(a)!.flagged_at)
      .filter((f): f is string => f !== null)
      .map((f) => (Date.parse(f) - start) / 3_600_000)
      .sort((a, b) => a - b);
    const at = (q: number): number | null => {
      const need = Math.ceil(q * members.length);
      return flags.length >= need && need > 0 ? flags[need - 1] : null;
    };
    const overlap = new Map<string, number>();
    for (const a of members) {
      const c = predictedCampaign.get(a);
      if (c) overlap.set(c, (overlap.get(c) ?? 0) + 1);
    }
    let best = '';
    let bestN = 0;
    for (const [c, n] of overlap) if (n > bestN) [best, bestN] = [c, n];
    const completeness = bestN / members.length;
    const purity = bestN === 0 ? 0 : bestN / (campaignSize.get(best) ?? bestN);
    let ex = 0;
    let before = 0;
    for (const a of members) {
      const p = preds.get(a)!;
      ex += p.exchanges;
      before += p.exchanges_before_flag ?? p.exchanges;
    }
    completenessSum += completeness;
    puritySum += purity;
    timings.push({
      campaign: key,
      kind: tc.kind,
      accounts: members.length,
      first_flag_h: flags.length ? flags[0] : null,
      half_flagged_h: at(0.5),
      ninety_flagged_h: at(0.9),
      recall: flags.length / members.length,
      completeness,
      purity,
      leakage: ex ? before / ex : 0,
    });
  }
  const nCampaigns = timings.length || 1;
  return {
    accounts: predictions.length,
    distillation_accounts: distillation.tp + distillation.fn,
    distillation,
    distillation_or_suspicious: either,
    pr_auc: prAuc(scored),
    organic_fpr: organic ? organicFp / organic : 0,
    organic_fpr_by_group: byGroup,
    exchange_recall: campaignEx ? flaggedEx / campaignEx : 1,
    leakage: campaignEx ? leaked / campaignEx : 0,
    campaigns: timings,
    campaign_completeness: completenessSum / nCampaigns,
    campaign_purity: puritySum / nCampaigns,
    campaign_completeness_min: timings.length ? Math.min(...timings.map((t) => t.completeness)) : 1,
    campaign_purity_min: timings.length ? Math.min(...timings.map((t) => t.purity)) : 1,
  };
}

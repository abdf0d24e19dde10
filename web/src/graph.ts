// The account-link graph: graphology holds it, ForceAtlas2 lays it out (seeded start, fixed
// iterations: the same campaign draws the same way), sigma.js renders it with WebGL.
// Readable from 10 to 1,000 accounts: an edge's colour is the strongest kind that linked the pair,
// from the Okabe–Ito palette (distinct under the common colour-vision deficiencies), one colour per
// kind present; nodes are coloured by verdict, or — when every member has the same verdict — by
// sub-campaign (Louvain communities of the link graph); labels show on hover and for the few most
// connected accounts only.
import Graph from 'graphology';
import louvain from 'graphology-communities-louvain';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import type { Graph as LinkGraph } from './api.js';
// The project's seeded PRNG, for deterministic initial positions.
import { mulberry32 } from '../../src/core/prng.js';

/** Okabe & Ito (2008), without black (kept for text): edge kinds, most frequent first. */
export const EDGE_PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#F0E442'];
/** Kinds beyond the palette share this grey (the legend says so). */
export const OTHER_EDGE = '#9aa5b1';
const NODE_COLORS: Record<string, string> = { distillation: '#7a1f1f', suspicious: '#8a5a00', benign: '#5d6b79' };
/** Sub-campaigns: dark, saturated node colours that stand apart from the lighter edge palette. */
const GROUP_COLORS = ['#1d2733', '#7a1f1f', '#2f4b7c', '#4b6b2a', '#6a3d9a', '#8a5a00'];
const LABELLED = 3;

export interface GraphLegend {
  /** Links by the kind that colours them (their strongest): counts sum to `links`. */
  kinds: { kind: string; color: string; links: number }[];
  links: number;
  nodes: number;
  /** 'verdict' or 'sub-campaign': what the node colours mean. */
  nodeColour: 'verdict' | 'sub-campaign';
  groups: { color: string; accounts: number }[];
}

/** Edge kinds and their colours for a campaign's links: one colour per kind, by how many links it colours. */
export function graphLegend(data: LinkGraph): Omit<GraphLegend, 'nodeColour' | 'groups'> {
  const seen = new Set<string>();
  const count = new Map<string, number>();
  let links = 0;
  for (const e of data.edges) {
    const key = e.a < e.b ? `${e.a}\u0000${e.b}` : `${e.b}\u0000${e.a}`;
    if (e.a === e.b || seen.has(key)) continue;
    seen.add(key);
    links++;
    const kind = e.kinds[0]?.dimension ?? 'org';
    count.set(kind, (count.get(kind) ?? 0) + 1);
  }
  const kinds = [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([kind, n], i) => ({ kind, links: n, color: EDGE_PALETTE[i] ?? OTHER_EDGE }));
  return { kinds, links, nodes: data.nodes.length };
}

let current: Sigma | undefined;

export function disposeGraph(): void {
  current?.kill();
  current = undefined;
}

export function drawGraph(el: HTMLElement, data: LinkGraph, onNode: (id: string) => void): GraphLegend {
  disposeGraph();
  const legend = graphLegend(data);
  const colorOf = new Map(legend.kinds.map((k) => [k.kind, k.color]));
  const g = new Graph({ type: 'undirected', multi: false });
  const rnd = mulberry32(data.nodes.length * 7919 + data.edges.length);
  for (const n of data.nodes) g.addNode(n.id, { label: n.id, x: rnd(), y: rnd(), size: 3 + Math.min(8, Math.sqrt(n.exchanges) / 3), verdict: n.verdict });
  for (const e of data.edges) {
    if (!g.hasNode(e.a) || !g.hasNode(e.b) || e.a === e.b || g.hasEdge(e.a, e.b)) continue;
    const kind = e.kinds[0]?.dimension ?? 'org';
    g.addEdge(e.a, e.b, { size: 1 + Math.min(2, e.kinds.length - 1), color: colorOf.get(kind) ?? OTHER_EDGE, label: e.kinds.map((k) => k.dimension).join(' + ') });
  }
  const verdicts = new Set(data.nodes.map((n) => n.verdict));
  let nodeColour: GraphLegend['nodeColour'] = 'verdict';
  const groups: GraphLegend['groups'] = [];
  if (verdicts.size <= 1 && g.size > 0) {
    nodeColour = 'sub-campaign';
    const community = louvain(g, { rng: mulberry32(g.order) });
    const sizes = new Map<number, number>();
    for (const c of Object.values(community)) sizes.set(c, (sizes.get(c) ?? 0) + 1);
    const rank = new Map([...sizes].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([c], i) => [c, i]));
    g.forEachNode((n) => g.setNodeAttribute(n, 'color', GROUP_COLORS[Math.min(GROUP_COLORS.length - 1, rank.get(community[n]) ?? 0)]));
    for (const [c, n] of sizes) {
      const i = Math.min(GROUP_COLORS.length - 1, rank.get(c) ?? 0);
      const gr = groups[i] ?? (groups[i] = { color: GROUP_COLORS[i], accounts: 0 });
      gr.accounts += n;
    }
  } else g.forEachNode((n, a) => g.setNodeAttribute(n, 'color', NODE_COLORS[a.verdict as string] ?? NODE_COLORS.benign));
  // Labels only for the few most connected accounts; every other label on hover.
  const central = g.nodes().sort((a, b) => g.degree(b) - g.degree(a) || (a < b ? -1 : 1)).slice(0, LABELLED);
  for (const n of central) g.setNodeAttribute(n, 'forceLabel', true);
  if (g.order > 1) forceAtlas2.assign(g, { iterations: 200, settings: { ...forceAtlas2.inferSettings(g), barnesHutOptimize: g.order > 500 } });
  current = new Sigma(g, el, { renderEdgeLabels: false, renderLabels: true, labelRenderedSizeThreshold: Infinity, labelSize: 11, allowInvalidContainer: true });
  current.on('clickNode', ({ node }) => onNode(node));
  return { ...legend, nodeColour, groups: groups.filter(Boolean) };
}

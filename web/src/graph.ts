// The account-link graph: graphology holds it, ForceAtlas2 lays it out (seeded start, fixed
// iterations: the same campaign draws the same way), sigma.js renders it with WebGL. Edge colour is
// the link's strongest kind (the dimension that linked the two accounts).
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import type { Graph as LinkGraph } from './api.js';
// The project's seeded PRNG, for deterministic initial positions.
import { mulberry32 } from '../../src/core/prng.js';

export const KIND_COLORS: Record<string, string> = {
  payment: '#8e44ad',
  link: '#6c3483',
  signup_ip: '#1f618d',
  signup_cohort: '#2e86c1',
  payment_bin: '#af7ac5',
  email_pattern: '#16a085',
  client: '#d35400',
  ip_prefix: '#e67e22',
  system: '#b7950b',
  template: '#27ae60',
  org: '#7f8c8d',
};
const NODE_COLORS: Record<string, string> = { distillation: '#c0392b', suspicious: '#d68910', benign: '#95a5a6' };

let current: Sigma | undefined;

export function disposeGraph(): void {
  current?.kill();
  current = undefined;
}


export function drawGraph(el: HTMLElement, data: LinkGraph, onNode: (id: string) => void): { nodes: number; edges: number } {
  disposeGraph();
  const g = new Graph({ type: 'undirected', multi: false });
  const rnd = mulberry32(data.nodes.length * 7919 + data.edges.length);
  for (const n of data.nodes) {
    g.addNode(n.id, {
      label: n.id,
      x: rnd(),
      y: rnd(),
      size: 4 + Math.min(10, Math.sqrt(n.exchanges) / 2),
      color: NODE_COLORS[n.verdict] ?? NODE_COLORS.benign,
    });
  }
  for (const e of data.edges) {
    if (!g.hasNode(e.a) || !g.hasNode(e.b) || g.hasEdge(e.a, e.b)) continue;
    const kind = e.kinds[0]?.dimension ?? 'org';
    g.addEdge(e.a, e.b, { size: 1 + e.kinds.length, color: KIND_COLORS[kind] ?? '#999', label: e.kinds.map((k) => k.dimension).join(' + ') });
  }
  if (g.order > 1) forceAtlas2.assign(g, { iterations: 200, settings: { ...forceAtlas2.inferSettings(g), barnesHutOptimize: g.order > 500 } });
  current = new Sigma(g, el, { renderEdgeLabels: g.size <= 60, labelRenderedSizeThreshold: 12, allowInvalidContainer: true });
  current.on('clickNode', ({ node }) => onNode(node));
  return { nodes: g.order, edges: g.size };
}

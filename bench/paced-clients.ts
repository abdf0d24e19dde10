// bench:serve's paced phase: batches sent at an asked rate of lines/s by a bounded number of clients,
// each with at most one batch in flight, so a pace `serve` can sustain is reached even when one
// batch's acknowledgement takes longer than the interval between batches (one sequential client of
// 500-line batches topped out at ~8,900 lines/s whatever it asked). Each batch is due at
// t0 + (lines before it) / rate and goes out on the next free client once due; what is measured says
// whether the pace was reached and, if not, whether `serve` (429s, or every client waiting on an
// acknowledgement) or the client was the limit.

export interface PacedOptions {
  /** Lines per second asked. */
  rate: number;
  /** Batches in flight at most (one per client). */
  clients: number;
  /** Stop at this many seconds (0: when the batches run out). */
  seconds: number;
  /** How many batches there are (Infinity: as many as the time allows). */
  batches: number;
  /** Lines of all batches before batch i. */
  linesBefore(i: number): number;
  /** Lines of batch i. */
  linesOf(i: number): number;
  /** Posts batch i on client k (k < clients); resolves once acknowledged, with the 429s it waited out. */
  post(i: number, client: number): Promise<{ refused: number }>;
  /** Called once batch i is acknowledged (performance.now()). */
  onAck?(i: number, ackedAt: number): void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PacedRun {
  asked_lines_per_s: number;
  achieved_lines_per_s: number;
  lines_posted: number;
  batches_posted: number;
  posted_s: number;
  clients: number;
  refused_429: number;
  /** Share of the run with every client waiting on an acknowledgement (no slot free for a batch coming due). */
  all_clients_busy_share: number;
  /** How late batches went out after they were due (ms): p50 / p99 / max. */
  send_lag_ms_p50: number | null;
  send_lag_ms_p99: number | null;
  send_lag_ms_max: number | null;
  /** Post to acknowledgement per batch (ms), 429 waits included. */
  ack_ms_p50: number | null;
  ack_ms_p99: number | null;
}

const pct = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 10) / 10;
};

export async function runPaced(o: PacedOptions): Promise<PacedRun> {
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const t0 = now();
  const limitMs = o.seconds * 1000;
  let next = 0;
  let lines = 0;
  let posted = 0;
  let refused = 0;
  let inFlight = 0;
  let allBusyMs = 0;
  let allBusySince: number | null = null;
  const lags: number[] = [];
  const acks: number[] = [];
  const busy = (delta: number): void => {
    const t = now();
    if (inFlight === o.clients && allBusySince !== null) {
      allBusyMs += t - allBusySince;
      allBusySince = null;
    }
    inFlight += delta;
    if (inFlight === o.clients) allBusySince = t;
  };
  const client = async (k: number): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= o.batches) return;
      const due = t0 + (o.linesBefore(i) * 1000) / o.rate;
      // The run ends at its time whether or not the pace was kept (a server slower than the pace
      // would otherwise stretch it until all the pace's lines were sent).
      if (o.seconds > 0 && (due - t0 > limitMs || now() - t0 > limitMs)) return;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const start = now();
      lags.push(Math.max(0, start - due));
      busy(+1);
      let r: { refused: number };
      try {
        r = await o.post(i, k);
      } finally {
        busy(-1);
      }
      const acked = now();
      acks.push(acked - start);
      refused += r.refused;
      lines += o.linesOf(i);
      posted++;
      o.onAck?.(i, acked);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, k) => client(k)));
  const postedMs = Math.max(1, now() - t0);
  return {
    asked_lines_per_s: Math.round(o.rate),
    achieved_lines_per_s: Math.round((lines * 1000) / postedMs),
    lines_posted: lines,
    batches_posted: posted,
    posted_s: Math.round(postedMs / 100) / 10,
    clients: o.clients,
    refused_429: refused,
    all_clients_busy_share: Math.round((allBusyMs / postedMs) * 100) / 100,
    send_lag_ms_p50: pct(lags, 0.5),
    send_lag_ms_p99: pct(lags, 0.99),
    send_lag_ms_max: lags.length === 0 ? null : Math.round(Math.max(...lags) * 10) / 10,
    ack_ms_p50: pct(acks, 0.5),
    ack_ms_p99: pct(acks, 0.99),
  };
}

/** The pace counts as reached at this share of the asked rate or more. */
export const REACHED = 0.97;

/**
 * What held a paced run below its asked rate (null: the pace was reached): serve, when it refused
 * batches (429) or kept every client waiting on an acknowledgement most of the time; otherwise the
 * client (batches went out late with a client free: the benchmark process itself).
 */
export function pacedLimit(r: PacedRun, server: { cpuCores: number; cores: number }, clientCpuCores: number): string | null {
  if (r.achieved_lines_per_s >= REACHED * r.asked_lines_per_s) return null;
  const used = `serve used ${server.cpuCores.toFixed(2)} of ${server.cores} cores`;
  if (r.refused_429 > 0) return `serve: it refused ${r.refused_429} batches with 429 (backpressure); ${used}`;
  if (r.all_clients_busy_share >= 0.8) return `serve: all ${r.clients} clients were waiting for acknowledgements ${Math.round(r.all_clients_busy_share * 100)}% of the time; ${used}`;
  return `client: batches went out late while a client was free (the benchmark process used ${clientCpuCores.toFixed(2)} cores; ${used})`;
}

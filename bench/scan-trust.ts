// Is a scan's events/s a rate to pace `serve` against? bench:serve paces at shares of the events/s of
// the scan it runs or reuses (--scan-dir), and compares serve's throughput to it; a scan made while
// other work held the machine's cores records a fraction of the engine's rate (one recorded 2,577
// events/s for an input scanned quietly at 24,570), and every paced figure made from it is then
// meaningless. So bench:serve writes, beside each scan it makes, what the machine did meanwhile
// (SCAN_RECORD: the scan's own CPU seconds and the whole machine's, from /proc/stat), and uses a
// scan's rate only when the other processes took at most MAX_OTHERS_SHARE of the machine's CPU
// while it ran.
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';

/** The file bench:serve writes in a scan's output folder: how the scan ran. */
export const SCAN_RECORD = 'bench-serve-scan.json';

/**
 * The most of the machine's CPU (all cores, over the scan's wall time) that processes other than the
 * scan may have used for its rate to count. Quiet, the rest of the machine takes ~1-3% (the benchmark's
 * own sampler, the shell); at a load average of 5 on 2 cores others take over half.
 */
export const MAX_OTHERS_SHARE = 0.15;

/** CPU clock ticks of the whole machine since boot: busy (everything but idle and iowait) and total. */
export interface MachineCpu {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal; guest time is already in user). */
export function parseProcStat(text: string): MachineCpu {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) throw new Error(`/proc/stat: cannot read '${line}'`);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: total - idle, total };
}

export async function machineCpu(): Promise<MachineCpu> {
  return parseProcStat(await readFile('/proc/stat', 'utf8'));
}

/** How a scan ran: written beside its output by bench:serve, read back when the scan is reused. */
export interface ScanRecord {
  version: 1;
  input: { path: string; bytes: number; lines: number };
  /** The scan's summary.json figure this record vouches for. */
  events_per_s: number;
  wall_s: number;
  /** The scan process's CPU seconds (every thread, user + system). */
  cpu_s: number;
  cpu_us_per_line: number;
  cores: number;
  /** Every process's CPU seconds over the scan's wall time (/proc/stat). */
  machine_busy_s: number;
  /** machine_busy_s − cpu_s: what the other processes used. */
  others_cpu_s: number;
  /** others_cpu_s as a share of the machine (cores × wall_s). */
  others_share: number;
  load_before: number[];
  load_after: number[];
}

/** The record of one scan from what was measured around it. */
export function scanRecord(m: { input: ScanRecord['input']; eventsPerS: number; wallS: number; cpuS: number; cores?: number; machineBefore: MachineCpu; machineAfter: MachineCpu; ticksPerS?: number; loadBefore: number[]; loadAfter: number[] }): ScanRecord {
  const cores = m.cores ?? cpus().length;
  const ticks = m.ticksPerS ?? 100;
  const machineBusyS = (m.machineAfter.busy - m.machineBefore.busy) / ticks;
  const others = Math.max(0, machineBusyS - m.cpuS);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    version: 1,
    input: m.input,
    events_per_s: m.eventsPerS,
    wall_s: r2(m.wallS),
    cpu_s: r2(m.cpuS),
    cpu_us_per_line: Math.round((m.cpuS * 1e6) / Math.max(1, m.input.lines)),
    cores,
    machine_busy_s: r2(machineBusyS),
    others_cpu_s: r2(others),
    others_share: Math.round((others / (cores * m.wallS)) * 1000) / 1000,
    load_before: m.loadBefore,
    load_after: m.loadAfter,
  };
}

/**
 * Whether a scan's rate may be used for this input: undefined when it may, otherwise why not (a
 * sentence to print). `record` is the scan's SCAN_RECORD (undefined: none), `eventsPerS` its
 * summary.json's events_per_second.
 */
export function distrustOfScan(record: ScanRecord | undefined, eventsPerS: number, input: { bytes: number; lines: number }, maxOthersShare = MAX_OTHERS_SHARE): string | undefined {
  if (record === undefined) return `it has no ${SCAN_RECORD} (not made by this bench:serve), so how busy the machine was while it ran is unknown`;
  if (record.version !== 1) return `its ${SCAN_RECORD} is version ${String(record.version)}, not 1`;
  if (record.input.bytes !== input.bytes || record.input.lines !== input.lines) return `it is a scan of another input (${record.input.lines} lines, ${record.input.bytes} bytes; this one has ${input.lines} lines, ${input.bytes} bytes)`;
  if (record.events_per_s !== eventsPerS) return `its ${SCAN_RECORD} vouches for ${record.events_per_s} events/s but its summary.json says ${eventsPerS}: the folder holds another scan's output`;
  if (!(record.others_share <= maxOthersShare)) {
    return (
      `while it ran, other processes used ${record.others_cpu_s} CPU-s of the machine's ${Math.round(record.cores * record.wall_s)} ` +
      `(${Math.round(record.others_share * 100)}%, more than ${Math.round(maxOthersShare * 100)}%; load average ${record.load_before[0]} before, ${record.load_after[0]} after): ` +
      `its ${eventsPerS} events/s is the rate of a shared machine (the scan itself spent ${record.cpu_us_per_line} CPU-µs a line)`
    );
  }
  return undefined;
}

/** A scan folder's SCAN_RECORD, or undefined when it has none. */
export async function readScanRecord(dir: string): Promise<ScanRecord | undefined> {
  const text = await readFile(`${dir}/${SCAN_RECORD}`, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  return text === undefined ? undefined : (JSON.parse(text) as ScanRecord);
}

/**
 * Fault injection for the sandbox servers: `--faults 429:0.05,500:0.02,slow:0.01` makes that
 * share of requests answer 429, 500, or arrive late. Seeded, so a failing run can be replayed.
 */
export type FaultKind = '429' | '500' | '502' | '503' | 'slow' | 'reset';

export interface FaultSpec {
  kind: FaultKind;
  probability: number;
}

const KINDS: FaultKind[] = ['429', '500', '502', '503', 'slow', 'reset'];

export function parseFaults(spec: string | undefined): FaultSpec[] {
  if (!spec || spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const [kind, p] = part.trim().split(':');
    const probability = Number(p);
    if (!KINDS.includes(kind as FaultKind) || !Number.isFinite(probability) || probability < 0 || probability > 1) {
      throw new Error(`--faults: "${part}" is not KIND:PROBABILITY with KIND one of ${KINDS.join(', ')} and a probability from 0 to 1`);
    }
    return { kind: kind as FaultKind, probability };
  });
}

/** Deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  injected = 0;
  constructor(private readonly faults: FaultSpec[], seed = 1) {
    this.random = seededRandom(seed ^ 0x5eed);
  }
  /** The fault to apply to this request, if any. */
  next(): FaultKind | undefined {
    for (const f of this.faults) {
      if (this.random() < f.probability) {
        this.injected++;
        return f.kind;
      }
    }
    return undefined;
  }
}

/**
 * Seeded randomness for the simulator. Every job draws from its own stream, derived from the run's seed
 * and the job's identity, so a job behaves the same whatever order requests arrive in.
 */
import { createHash } from 'node:crypto';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** Standard normal draw. */
  normal(): number;
}

/** sfc32: small, fast, and good enough for simulation (passes PractRand to 2^60). */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A stream keyed by the seed and any identifying parts (job id, endpoint, attempt number…). */
export function randomFor(seed: number | string, ...parts: (string | number)[]): Random {
  const digest = createHash('sha256').update([String(seed), ...parts.map(String)].join('\u0000')).digest();
  const next = sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12));
  for (let i = 0; i < 12; i++) next(); // warm-up, as sfc32's authors recommend
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: () => {
      // Box–Muller; 1 - u keeps log away from 0.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Short stable hex id derived from the same inputs, e.g. for export job ids. */
export function stableId(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.map(String).join('\u0000')).digest('hex').slice(0, 20);
}

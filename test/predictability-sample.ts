/**
 * A hand-built MBP-10 sequence of 6EZ6 (tick 0.00005) for the predictability study, written with
 * our encoder, and what it gives on a 10-second grid with a 15-second gap limit, worked out by hand.
 *
 * Records (seconds after T0 = 2024-05-08T00:00:00Z, ts_recv 1 µs later; bid px×size | ask px×size;
 * e_n = 1[Pb≥Pb']qb − 1[Pb≤Pb']qb' − 1[Pa≤Pa']qa + 1[Pa≥Pa']qa'):
 *    1 s  1.10000×10 | 1.10005×10   first state                          grid 10: mid 1.100025
 *    5 s  1.10000×14 | 1.10005×10   e = 14 − 10 = 4 (before the first grid time: not counted)
 *  A (10, 20]
 *   12 s  1.10005×5  | 1.10010×8    bid up +5, ask up +10: e = 15
 *   15 s  1.10005×7  | 1.10010×8    e = 7 − 5 = 2                OFI 17  grid 20: mid 1.100075 (+1), QI (7−8)/15
 *  B (20, 30]
 *   22 s  1.10005×7  | 1.10010×2    e = −2 + 8 = 6
 *   27 s  1.09995×9  | 1.10000×4    bid down −7, ask down −4: e = −11  OFI −5  grid 30: mid 1.099975 (−2), QI 5/13
 *  C (30, 40]
 *   33 s  1.09995×9  | 1.10000×1    e = −1 + 4 = 3
 *   38 s  1.10005×3  | 1.10010×6    bid up +3, ask up +1: e = 4     OFI 7   grid 40: mid 1.100075 (+2), QI −1/3
 *  D (40, 50]: left out (locked book)
 *   42 s  1.10010×2  | 1.10010×5    locked: the baseline is dropped
 *   45 s  1.10005×4  | 1.10010×4    a new baseline                            grid 50: mid 1.100075
 *  E (50, 60]
 *   54 s  1.10010×2  | 1.10015×5    bid up +2, ask up +4: e = 6     OFI 6   grid 60: mid 1.100125 (+1)
 *  (60, 70] … (190, 200]: silent for 15 s or more, left out
 *  (200, 210]: left out (the silence ends in it)
 *  200 s  1.10020×5  | 1.10025×5    after the gap: a new baseline
 *  205 s  1.10020×8  | 1.10025×5    e = 3                                      grid 210: mid 1.100225
 *  G (210, 220]
 *  215 s  1.10020×8  | 1.10025×2    e = −2 + 5 = 3
 *  218 s  1.10025×1  | 1.10030×4    bid up +1, ask up +2: e = 3     OFI 6   grid 220: mid 1.100275 (+1), QI −3/5
 *  H (220, 230]
 *  225 s  1.10025×1  | 1.10030×1    e = −1 + 4 = 3
 *  228 s  1.10015×6  | 1.10020×2    bid down −1, ask down −2: e = −3  OFI 0  grid 230: mid 1.100175 (−2)
 *  231 s  1.10015×6  | 1.10020×2    e = 0 (so that the grid reaches 230 s)
 *
 * Grid times 10 … 230 s: 22 intervals, 6 usable (A, B, C, E, G, H), 16 left out.
 */
import { DbnEncoder } from '../src/data/dbn/index.js';
import { mbp, T0 } from './book.js';
import { sampleMetadata } from './market-sample.js';

/** The instrument id of `mbp` records. */
export const SAMPLE_ID = 5482;

const BOOKS: readonly [number, number, number, number, number][] = [
  // [seconds, bid px, bid size, ask px, ask size]
  [1, 1.1, 10, 1.10005, 10],
  [5, 1.1, 14, 1.10005, 10],
  [12, 1.10005, 5, 1.1001, 8],
  [15, 1.10005, 7, 1.1001, 8],
  [22, 1.10005, 7, 1.1001, 2],
  [27, 1.09995, 9, 1.1, 4],
  [33, 1.09995, 9, 1.1, 1],
  [38, 1.10005, 3, 1.1001, 6],
  [42, 1.1001, 2, 1.1001, 5],
  [45, 1.10005, 4, 1.1001, 4],
  [54, 1.1001, 2, 1.10015, 5],
  [200, 1.1002, 5, 1.10025, 5],
  [205, 1.1002, 8, 1.10025, 5],
  [215, 1.1002, 8, 1.10025, 2],
  [218, 1.10025, 1, 1.1003, 4],
  [225, 1.10025, 1, 1.1003, 1],
  [228, 1.10015, 6, 1.1002, 2],
  [231, 1.10015, 6, 1.1002, 2],
];

/** The gap limit the worked numbers assume, ms. */
export const SAMPLE_MAX_GAP_MS = 15_000;

/** Writes the sequence as `glbx-mdp3-20240508.mbp-10.dbn` in `dir` and returns its path. */
export async function writePredictabilitySample(dir: string): Promise<string> {
  const path = `${dir}/glbx-mdp3-20240508.mbp-10.dbn`;
  const end = T0 + 86_400_000_000_000n;
  const enc = DbnEncoder.toFile(path, {
    metadata: sampleMetadata('mbp-10', T0, end, SAMPLE_ID),
    zstd: false,
  });
  for (const [s, bp, bs, ap, as] of BOOKS) enc.write(mbp([[bp, bs, 1]], [[ap, as, 1]], { t: s * 1e9 }));
  await enc.end();
  return path;
}

/** The worked pairs: (x, y) of each measure, y the mid change in ticks. */
export const SAMPLE_PAIRS = {
  ofi_next: { x: [17, -5, 6], y: [-2, 2, -2] },
  qi_next: { x: [-1 / 15, 5 / 13, -3 / 5], y: [-2, 2, -2] },
  ofi_same: { x: [17, -5, 7, 6, 6, 0], y: [1, -2, 2, 1, 1, -2] },
} as const;

/**
 * Their correlations, by hand:
 * - ofi_next: x̄ = 6, ȳ = −2/3; Sxy = 11·(−4/3) − 11·(8/3) = −44, Sxx = 242, Syy = 32/3:
 *   ρ = −44 / √(242·32/3) = −√3/2, slope −44/242 = −2/11.
 * - qi_next: x̄ = −11/117; deviations (16, 280, −296)/585; Sxy = 224/117,
 *   Sxx = 166272/585², Syy = 32/3: ρ = 1120 / √1773568.
 * - ofi_same: Σx = 31, Σy = 1, Σxy = 53, Σx² = 435, Σy² = 15, n = 6: Sxy = 287/6, Sxx = 1649/6,
 *   Syy = 89/6: ρ = 287 / √(1649·89), slope 287/1649.
 */
export const SAMPLE_FITS = {
  ofi_next: { n: 3, correlation: -Math.sqrt(3) / 2, slope: -2 / 11 },
  qi_next: { n: 3, correlation: 1120 / Math.sqrt(1773568), slope: 224 / 117 / (166272 / 585 ** 2) },
  ofi_same: { n: 6, correlation: 287 / Math.sqrt(1649 * 89), slope: 287 / 1649 },
} as const;

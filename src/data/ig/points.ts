/**
 * IG quotes every market in points: `CS.D.EURUSD.MINI.IP` at 10812.5 means 1.08125 USD per EUR
 * (its `scalingFactor` is 10,000), while other epics quote the decimal price itself. The engine's
 * prices are raw integer 1e-9 units, so each market states `pointRaw`, the raw units in one IG
 * point (100,000 for EUR/USD quoted in points, 1,000,000,000 for a decimal quote), and prices
 * cross the edge exactly: a point value is read as the decimal it is written as, never through a
 * binary fraction.
 */
import { InvalidOptionError } from '../../core/index.js';

/** Raw units (1e-9) of a price IG gives in points; throws if it falls between raw units. */
export function pointsToRaw(points: number | string, pointRaw: number): number {
  const text = typeof points === 'number' ? decimalText(points) : points.trim();
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new InvalidOptionError('IG price', points, 'a decimal number of points');
  const frac = m[3] ?? '';
  const scaled = BigInt(m[2] + frac) * BigInt(pointRaw);
  const div = 10n ** BigInt(frac.length);
  if (scaled % div !== 0n)
    throw new InvalidOptionError(
      'IG price',
      points,
      `a whole number of raw units at ${pointRaw} raw a point`,
    );
  const raw = Number(scaled / div);
  return m[1] === '-' ? -raw : raw;
}

/**
 * The IG point value of `raw`: the shortest decimal that is exactly `raw / pointRaw`, as a number
 * (what IG's JSON carries). Throws if `raw / pointRaw` has more decimals than a double keeps.
 */
export function rawToPoints(raw: number, pointRaw: number): number {
  if (!Number.isSafeInteger(raw)) throw new InvalidOptionError('raw price', raw, 'a safe integer');
  const neg = raw < 0;
  const abs = BigInt(Math.abs(raw));
  const unit = BigInt(pointRaw);
  const whole = abs / unit;
  let rest = abs % unit;
  let digits = '';
  // pointRaw divides a power of ten in every sensible scaling (10^k); stop after 18 digits otherwise.
  while (rest !== 0n && digits.length < 18) {
    rest *= 10n;
    digits += (rest / unit).toString();
    rest %= unit;
  }
  if (rest !== 0n)
    throw new InvalidOptionError('raw price', raw, `a finite decimal of points at ${pointRaw}`);
  const text = `${neg ? '-' : ''}${whole}${digits === '' ? '' : `.${digits}`}`;
  const value = Number(text);
  if (decimalText(value) !== text.replace(/^-0$/, '0'))
    throw new InvalidOptionError('raw price', raw, 'a point value a double holds exactly');
  return value;
}

/** The decimal a number is written as (no exponent): 1e-7 → "0.0000001". */
function decimalText(n: number): string {
  if (!Number.isFinite(n)) throw new InvalidOptionError('IG price', n, 'a finite number');
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mant, expText] = s.split(/e/i);
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const [i, f = ''] = (neg ? mant.slice(1) : mant).split('.');
  const digits = i + f;
  const point = i.length + exp;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? '-' : '') + body;
}

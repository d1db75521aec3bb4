/** The shapes of the historical API's JSON answers (zod/mini), as the client checks them. */
import * as z from 'zod/mini';
import type { Params, RangeQuery } from './historical.js';

/** `metadata.get_cost`: the price of a request in US dollars. */
export const CostSchema = z.number().check(z.nonnegative());

/** `metadata.get_record_count` and `metadata.get_billable_size`: a count of records or bytes. */
export const CountSchema = z.int().check(z.nonnegative());

/** `metadata.list_datasets` and `metadata.list_schemas`: a list of names. */
export const NamesSchema = z.array(z.string());

/** `metadata.get_dataset_range`: the first and last times a dataset holds (ISO 8601), and per schema. */
export const DatasetRangeSchema = z.looseObject({
  start: z.string(),
  end: z.string(),
  schema: z.optional(z.record(z.string(), z.looseObject({ start: z.string(), end: z.string() }))),
});
export type DatasetRange = z.infer<typeof DatasetRangeSchema>;

/** One interval of a resolved symbol: from `d0` (inclusive) to `d1` (exclusive) the symbol is `s`. */
export const MappingIntervalSchema = z.object({ d0: z.string(), d1: z.string(), s: z.string() });
export type MappingInterval = z.infer<typeof MappingIntervalSchema>;

/** `symbology.resolve`: each input symbol's intervals, and those found in part or not at all. */
export const ResolutionSchema = z.looseObject({
  result: z.record(z.string(), z.array(MappingIntervalSchema)),
  symbols: z.optional(z.array(z.string())),
  stype_in: z.optional(z.string()),
  stype_out: z.optional(z.string()),
  start_date: z.optional(z.string()),
  end_date: z.optional(z.string()),
  partial: z.array(z.string()),
  not_found: z.array(z.string()),
  message: z.optional(z.string()),
  status: z.optional(z.number()),
});
export type Resolution = z.infer<typeof ResolutionSchema>;

/** An error body: `detail` is a sentence or an object with the case, message and more. */
export const ErrorBodySchema = z.looseObject({
  detail: z.union([
    z.string(),
    z.looseObject({
      case: z.optional(z.string()),
      message: z.optional(z.string()),
      status_code: z.optional(z.number()),
      docs: z.optional(z.nullable(z.string())),
    }),
  ]),
});

/** The form fields that select data, as every priced or downloaded request sends them. */
export function rangeParams(q: RangeQuery): Params {
  return {
    dataset: q.dataset,
    symbols: q.symbols === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : q.symbols.join(','),
    schema: q.schema,
    start: q.start,
    end: q.end,
    stype_in: q.stypeIn ?? 'raw_symbol',
    limit: q.limit === undefined ? undefined : String(q.limit),
  };
}

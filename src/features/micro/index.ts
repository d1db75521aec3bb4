export {
  imbalanceBucket,
  StoikovFitter,
  StoikovMicroprice,
  type StoikovModel,
  type StoikovOptions,
} from './stoikov.js';

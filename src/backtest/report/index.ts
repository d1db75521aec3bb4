/**
 * The HTML report of a backtest (`report.html`). It reads the backtest's files only: importing it
 * loads `core` and nothing else of the engine.
 */
export { ReportInputError, type TrainingJson } from './data.js';
export {
  type ChartLibrary,
  chartLibrary,
  chartLibraryFiles,
  escapeHtml,
  REPORT_FILE,
  type ReportWritten,
  writeReport,
} from './render.js';

/** The HTML report of a backtest (`report.html`); importing this loads no engine code. */
export { ReportInputError } from './data.js';
export { REPORT_FILE, type ReportWritten, writeReport } from './render.js';

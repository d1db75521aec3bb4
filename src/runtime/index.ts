/** Paper and live trading: sessions, feeds, the metrics and control endpoint, the kill switch. */
export {
  ControlServer,
  type ControlServerOptions,
  type Readiness,
  readiness,
  type SessionControl,
  type SessionControlOptions,
  startSessionControl,
} from './control.js';
export {
  clearKillFile,
  type KillFileConfig,
  KillFileWatcher,
  type KillFileWatcherOptions,
  killFilePath,
  killFilePresent,
  killFileReason,
  pullKillFile,
  sessionKillFile,
} from './kill-file.js';
export { reasonCode, SessionMetrics, type SessionMetricsOptions, type TrustView } from './metrics.js';

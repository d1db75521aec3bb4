/** The kill file alone, for `scalper kill`: importing this loads no session, feed or server. */
export { clearKillFile, killFilePath, killFilePresent, pullKillFile } from '../kill-file.js';

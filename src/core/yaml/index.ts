/**
 * The YAML package as the configuration uses it: documents that know their lines for reading files
 * (config-file.ts), `stringify` for `scalper config print`. Imported with `import()` at the point of
 * use, so that a command that reads no YAML does not load it. Named here rather than imported from
 * the package where used: the command's bundle turns the package's CommonJS build into a chunk that
 * exports it only as a whole, and a module of ours importing it by name keeps the names.
 */
export { parseDocument, stringify } from 'yaml';

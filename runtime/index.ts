/** `import { run } from 'mcprun/runtime'`: the programmatic API (the CLI calls the same run()). */
export { run, type RunOptions, type RunResult } from './coordinator/run.js';
export { main } from './cli/main.js';
export { McprunError, type McprunErrorCode } from './errors.js';
export { EXIT_CODES, type ExitCode } from './exit-codes.js';
export { parseThreshold, parseMetricKey, formatThreshold } from './thresholds/index.js';
export { textSummary } from './output/text-summary.js';
export type { SummaryData } from './output/summary-data.js';

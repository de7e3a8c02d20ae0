/**
 * Every subcommand of `mcprun`, written once: main.ts dispatches from it, `mcprun --help` lists
 * it, an unknown command is checked against it. A command's code is loaded only when it runs
 * (`load`), so `mcprun run` does not load what `check` or `init` need (the TypeScript compiler
 * among them). `mcprun scenario.ts` is `mcprun run scenario.ts`.
 */
import type { CommandContext } from './cli-io.js';
// Imported, not loaded on demand: run is the common case, and its modules stay evaluated at start as before.
import { runCommand } from './commands/run.js';

/** Runs the command with the arguments after its name; resolves with the exit code. */
export type CommandHandler = (args: string[], ctx: CommandContext) => Promise<number>;

export interface Command {
  readonly name: string;
  /** One line for `mcprun --help`. */
  readonly summary: string;
  /** `mcprun check <scenario.ts...> [options]`. */
  readonly usage: string;
  readonly load: () => Promise<CommandHandler>;
}

export const COMMANDS = [
  {
    name: 'run',
    summary: 'run a scenario (the default: `mcprun scenario.ts` is `mcprun run scenario.ts`)',
    usage: 'mcprun [run] <scenario.ts> [options]',
    load: async () => runCommand,
  },
  {
    name: 'check',
    summary: 'type-check scenarios and validate their options without sending load; print the plan',
    usage: 'mcprun check <scenario.ts...> [--json] [-e KEY=VALUE] [--vus N] [--duration D] [--iterations N] [--stage D:N]',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  {
    name: 'init',
    summary: 'write a commented scenario.ts, a tsconfig.json that resolves mcprun, and a package.json script',
    usage: 'mcprun init [dir] [--force]',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'compare',
    summary: 'compare two summary exports per metric and tag; exit 99 on a regression beyond --max-regression',
    usage: "mcprun compare BASELINE.json CURRENT.json [--max-regression 'METRIC:STAT:+N%']... [--json FILE]",
    load: async () => {
      const { runCompare } = await import('./commands/compare.js');
      return async (args, ctx) => runCompare(args, ctx.io);
    },
  },
  {
    name: 'record',
    summary: 'sit between an MCP client and server and write every JSON-RPC message with its timing',
    usage: 'mcprun record --upstream URL --out session.jsonl [--listen 127.0.0.1:PORT]',
    load: async () => (await import('./commands/record.js')).runRecord,
  },
  {
    name: 'k8s',
    summary: 'print the Kubernetes objects (ConfigMap, headless Service, Indexed Job) for one run over N pods, or --apply them and follow the run',
    usage: 'mcprun k8s <scenario.ts> --instances N --image IMAGE [--namespace NS] [--name NAME] [--cpu CPU] [--memory SIZE] [--apply [--report-dir DIR] [--keep] [--kubectl PATH]] [-- run arguments]',
    load: async () => {
      const { k8sCommand } = await import('./k8s-command.js');
      return (args, ctx) => k8sCommand(args, ctx);
    },
  },
  {
    name: 'merge',
    summary: 'merge summary exports of separate runs exactly and judge the thresholds again',
    usage: 'mcprun merge <a.json> <b.json...> [--thresholds-from scenario.ts] [--summary-export out.json]',
    load: async () => {
      const { mergeCommand } = await import('./merge-command.js');
      return (args, ctx) => mergeCommand(args, ctx.io);
    },
  },
] as const satisfies readonly Command[];

export type CommandName = (typeof COMMANDS)[number]['name'];

export function commandNamed(name: string | undefined): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** k6 (and other tools') commands a user may reach for, and what mcprun does instead. */
export const OTHER_TOOLS_COMMANDS: Readonly<Record<string, string>> = {
  inspect: 'mcprun check prints the resolved plan (as `k6 inspect`)',
  new: 'mcprun init writes a new scenario (as `k6 new`)',
};

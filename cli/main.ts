/**
 * `autopilot <command> [...]`: the operator's and CI's command line.
 *   route <event.json>...   which runbook handler(s) the deployed rules deliver an event to
 *   drill [scenario...]     replay incident scenarios against the simulated region
 *   chaos [scenario...]     replay them under injected faults (drill/chaos.ts)
 * Exit codes: 0 ok, 1 an expectation or run failed, 2 bad input or usage.
 */
export type Command = (args: string[]) => Promise<number>;

// require, not import(): bin/autopilot.cjs registers tsx for CommonJS only, and on Node 20 a
// dynamic import() of a .ts file bypasses that hook (ERR_MODULE_NOT_FOUND).
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  route: { summary: 'route <event.json>...  print the runbook handler(s) an event reaches', load: async () => (require('./route') as typeof import('./route')).routeCommand },
  drill: { summary: 'drill [scenario.json...] [--json]  replay incident scenarios', load: async () => (require('./drill') as typeof import('./drill')).drillCommand },
  chaos: { summary: 'chaos [scenario.json...] [--json] [--faults f,g]  replay scenarios under injected faults', load: async () => (require('./chaos') as typeof import('./chaos')).chaosCommand },
  controls: { summary: 'controls show | set kill-switch|dry-run on|off --reason "why"  read / set the run-time switches (who = your IAM identity)', load: async () => (require('./controls') as typeof import('./controls')).controlsCommand },
  config: { summary: 'config check --stage X [--json]  the merged stage config, its difference from the defaults, inert fields', load: async () => (require('./config-check') as typeof import('./config-check')).configCommand },
  preflight: { summary: 'preflight --stage X [--json] [--simulated]  READY / NOT READY per runbook (read-only checks)', load: async () => (require('./preflight') as typeof import('./preflight')).preflightCommand },
  incidents: { summary: 'incidents --stage X [--since 24h] [--json]  incidents in the deployed state table', load: async () => (require('./incidents') as typeof import('./incidents')).incidentsCommand },
  report: { summary: 'report <incident key> --stage X [--out f.md]  the post-incident draft of a deployed incident', load: async () => (require('./incidents') as typeof import('./incidents')).reportCommand },
  mode: { summary: 'mode [<runbook> <off|shadow|live|default>] --stage X --by NAME  per-runbook mode override in the state table', load: async () => (require('./mode') as typeof import('./mode')).modeCommand },
  'bad-input': { summary: 'bad-input [--json]  deliver the bad-input corpus to every intake; count rejections and mutations (must be 0)', load: async () => (require('./bad-input') as typeof import('./bad-input')).badInputCommand },
};

function usage(): string {
  return ['usage: autopilot <command> [args]', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    console.error(usage());
    return 2;
  }
  return (await cmd.load())(rest);
}

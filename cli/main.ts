/**
 * `autopilot <command> [...]`: the operator's and CI's command line.
 *
 * Every command is one row of COMMANDS: its usage line, a short help text and a loader.
 * `autopilot --help`, `autopilot help [command]` and `autopilot <command> --help` print help
 * and exit 0 for every command (handled here, before the command is loaded), `--version`
 * prints the package version. To add a command, add a row.
 *
 * Exit codes: 0 ok, 1 an expectation or run failed, 2 bad input or usage (the message names
 * the unknown command or option).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Command = (args: string[]) => Promise<number>;

export interface CommandSpec {
  /** The usage line, without the leading "autopilot " (default: the command name and "[args]"). */
  usage?: string;
  /** One line for the command list. */
  summary: string;
  /** What `autopilot <command> --help` adds below the usage line (options, exit codes). */
  help?: string;
  load: () => Promise<Command>;
}

// require, not import(): bin/autopilot.cjs registers tsx for CommonJS only, and a dynamic
// import() of a .ts file bypasses that hook (ERR_MODULE_NOT_FOUND).
export const COMMANDS: Record<string, CommandSpec> = {
  route: {
    usage: 'route [--stage <stage>] [--rules] <event.json>...',
    summary: 'print the runbook handler(s) the deployed rules deliver an event to',
    help: '  --stage <stage>  the stage whose config builds the rules (default dev)\n  --rules          list the EventBridge rules the config deploys, and how many\nExit: 0 every event read, 2 usage or an event the parser rejects.',
    load: async () => (require('./route') as typeof import('./route')).routeCommand,
  },
  drill: {
    usage: 'drill [<scenario name>|<scenario.json|.yaml>...] [--verbose] [--json] [--list] [--stage <stage>]',
    summary: 'replay incident scenarios against the simulated region (all shipped ones by default)',
    help: [
      '  <scenario name>  a shipped scenario by name (see --list), or a path to a scenario file',
      '  --verbose, -v    the full timeline per scenario, AWS calls included (alike lines collapsed)',
      '  --json           one JSON document on stdout, nothing else',
      '  --list           the shipped scenarios and their descriptions; runs nothing',
      '  --stage <stage>  the same scenarios with config/<stage>.json\'s names, account and topics',
      'Writes drill-reports/<name>.md and .html, and drill-reports/index.html.',
      'Exit: 0 all passed, 1 an expectation failed, 2 an invalid scenario or usage.',
    ].join('\n'),
    load: async () => (require('./drill') as typeof import('./drill')).drillCommand,
  },
  chaos: {
    usage: 'chaos [<scenario.json>...] [--json] [--faults f,g] [--share 0.3]',
    summary: 'replay scenarios under injected faults (drill/chaos.ts)',
    help: '  --faults f,g  baseline,throttling,server-errors,timeouts,crash,stuck (default all)\n  --share x     share of calls faulted, in (0, 1]\n  --json        [{ scenario, fault, outcome, detail }]\nExit: 0 every cell passed, 1 a cell failed, 2 usage.',
    load: async () => (require('./chaos') as typeof import('./chaos')).chaosCommand,
  },
  controls: {
    usage: 'controls show | set kill-switch|dry-run on|off --reason "why"',
    summary: 'read / set the run-time switches (who = your IAM identity)',
    help: '  --stage S | --table T  the state table (default: the dev stage\'s)\n  --region R  its region\n  --json      show as JSON\n  (a local state table only: --endpoint URL [--as NAME])',
    load: async () => (require('./controls') as typeof import('./controls')).controlsCommand,
  },
  config: {
    usage: 'config check --stage <stage> [--json]',
    summary: 'the merged stage config, its difference from the defaults, inert fields',
    help: 'Exit: 0 deployable, 1 inert fields remain (the example estate or a placeholder), 2 usage or an invalid config.',
    load: async () => (require('./config-check') as typeof import('./config-check')).configCommand,
  },
  preflight: {
    usage: 'preflight --stage <stage> [--json] [--simulated] [--no-iam]',
    summary: 'READY / NOT READY per runbook: read-only checks of what each runbook needs at 3 a.m., and an IAM policy simulation of every role',
    help: '  --simulated  check the simulated region (the drill\'s world) instead of AWS\n  --no-iam     leave out the IAM policy simulation (iam:SimulatePrincipalPolicy of each function\'s calls)\nExit: 0 every runbook READY, 1 one is NOT READY, 2 usage.',
    load: async () => (require('./preflight') as typeof import('./preflight')).preflightCommand,
  },
  incidents: {
    usage: 'incidents --stage <stage> [--since 24h] [--json]',
    summary: 'the incidents recorded in the deployed state table',
    load: async () => (require('./incidents') as typeof import('./incidents')).incidentsCommand,
  },
  report: {
    usage: 'report <incident key> --stage <stage> [--out f.md]',
    summary: 'the post-incident draft of a deployed incident, from the state table',
    load: async () => (require('./incidents') as typeof import('./incidents')).reportCommand,
  },
  mode: {
    usage: 'mode [<runbook> <off|shadow|live|default>] --stage <stage> --by NAME',
    summary: 'per-runbook mode override in the state table (shows every runbook\'s mode without arguments)',
    load: async () => (require('./mode') as typeof import('./mode')).modeCommand,
  },
  request: { usage: 'request restore|s3-restore|rollback [options]', summary: 'ask the autopilot for a restore or rollback, as your STS-verified AWS identity', help: '  restore --db ID (--time ISO | --snapshot ID) --reason TEXT\n  s3-restore --bucket B --prefix P --time ISO [--real] [--confirm-whole-bucket]\n  rollback --cluster C --service S --reason TEXT\n  --stage S, --region R\nExit: 0 relayed, 1 refused (the reason is paged too), 2 usage.', load: async () => (require('./operator') as typeof import('./operator')).requestCommand },
  approve: { usage: 'approve [--incident KEY] [--note TEXT] [--stage S] [--region R] <callback id>', summary: 'approve a human gate (a restore needs someone other than its requester), as your STS-verified AWS identity', help: 'Exit: 0 answered, 1 refused, 2 usage.', load: async () => (require('./operator') as typeof import('./operator')).approveCommand },
  reject: { usage: 'reject [--incident KEY] --note TEXT [--stage S] [--region R] <callback id>', summary: 'reject a human gate, as your STS-verified AWS identity', help: 'Exit: 0 answered, 1 refused, 2 usage.', load: async () => (require('./operator') as typeof import('./operator')).rejectCommand },
  'bad-input': {
    usage: 'bad-input [--json]',
    summary: 'deliver the bad-input corpus to every intake; count rejections and mutations (must be 0)',
    help: 'Exit: 0 nothing got through, 1 an input was accepted or caused a mutation, 2 usage.',
    load: async () => (require('./bad-input') as typeof import('./bad-input')).badInputCommand,
  },
};

const HELP_FLAGS = new Set(['--help', '-h']);

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'usage: autopilot <command> [args]   (autopilot <command> --help for its options)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    '  --help, -h     this text          --version   the package version',
  ].join('\n');
}

export function commandHelp(name: string): string {
  const c = COMMANDS[name];
  if (!c) return usage();
  return [`usage: autopilot ${c.usage ?? `${name} [args]`}`, '', c.summary, ...(c.help ? ['', c.help] : [])].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !COMMANDS[topic]) {
      console.error(`unknown command "${topic}"\n\n${usage()}`);
      return 2;
    }
    console.log(topic ? commandHelp(topic) : usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(version());
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`${name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`}\n\n${usage()}`);
    return 2;
  }
  // Everything after a bare "--" is a positional argument, not a request for help.
  const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.some((a) => HELP_FLAGS.has(a))) {
    console.log(commandHelp(name));
    return 0;
  }
  return (await cmd.load())(rest);
}

/**
 * `autopilot controls`: read and set the run-time switches (the state table's controls item)
 * with who and why.
 *
 *   autopilot controls show [--stage S | --table T] [--region R] [--json]
 *   autopilot controls set kill-switch|dry-run on|off --reason "..." [--stage S | --table T] [--region R]
 *
 * Who is the caller's identity as IAM sees it (STS GetCallerIdentity: the principal ARN),
 * never a name typed on the command line. Only against a local state table (--endpoint,
 * dynalite in tests and drills) may `--as <name>` stand in for it.
 *
 * Writes only declared attributes (domain/controls.ts CONTROL_ATTRIBUTES), as BOOL. An item
 * that still reads with anomalies after the write (a miscased or unknown attribute someone
 * added by hand) is reported, with the command that removes it, and exits 1: the switches
 * stay ON until it is gone. Function roles cannot write this item (infra/permissions.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoGuardrailStore } from '../adapters/dynamo/guardrail-store';
import { defaultConfig } from '../domain/config';
import type { Controls } from '../domain/guardrails';
import { hasInvisibleCharacters } from '../domain/untrusted-text';

const USAGE = [
  'usage: autopilot controls show [--stage S | --table T] [--region R] [--json]',
  '       autopilot controls set kill-switch|dry-run on|off --reason "why" [--stage S | --table T] [--region R]',
  '       (local state table only: --endpoint URL [--as NAME])',
].join('\n');

const SWITCHES = { 'kill-switch': 'killSwitch', 'dry-run': 'dryRun' } as const;
const MAX_REASON = 500;

export interface ControlsCommandDeps {
  /** The caller's principal ARN (production: STS GetCallerIdentity). */
  callerIdentity?: (region: string) => Promise<string>;
  now?: () => number;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

async function stsCallerIdentity(region: string): Promise<string> {
  const out = await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
  if (!out.Arn) throw new Error('STS GetCallerIdentity returned no ARN');
  return out.Arn;
}

interface Parsed {
  positional: string[];
  flags: Record<string, string>;
  json: boolean;
}

function parse(args: string[]): Parsed | string {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (['--stage', '--table', '--region', '--reason', '--endpoint', '--as'].includes(a)) {
      const v = args[++i];
      if (v === undefined) return `${a} needs a value`;
      flags[a.slice(2)] = v;
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else positional.push(a);
  }
  return { positional, flags, json };
}

export async function controlsCommand(args: string[], deps: ControlsCommandDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => console.log(l));
  const err = deps.err ?? ((l: string) => console.error(l));
  const p = parse(args);
  if (typeof p === 'string') {
    err(`${p}\n${USAGE}`);
    return 2;
  }
  const stage = p.flags.stage ?? 'dev';
  const table = p.flags.table ?? `runbook-autopilot-${stage}-state`;
  const region = p.flags.region ?? defaultConfig.primaryRegion;
  const endpoint = p.flags.endpoint;
  if (p.flags.as !== undefined && endpoint === undefined) {
    err('--as is accepted only with --endpoint (a local state table): against AWS, who you are is what STS says');
    return 2;
  }
  const client = new DynamoDBClient(
    endpoint ? { region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : { region },
  );
  const store = new DynamoGuardrailStore(client, table);
  try {
    const [verb, ...rest] = p.positional;
    if (verb === 'show' && rest.length === 0) return show(await store.readControls(), table, p.json, out);
    if (verb !== 'set') {
      err(USAGE);
      return 2;
    }
    const [which, state, ...extra] = rest;
    const name = which !== undefined && Object.prototype.hasOwnProperty.call(SWITCHES, which) ? SWITCHES[which as keyof typeof SWITCHES] : undefined;
    if (!name || (state !== 'on' && state !== 'off') || extra.length > 0) {
      err(USAGE);
      return 2;
    }
    const reason = (p.flags.reason ?? '').trim();
    if (reason === '') {
      err('--reason is required: the page and the audit trail say why the switch was flipped');
      return 2;
    }
    if (reason.length > MAX_REASON || hasInvisibleCharacters(reason)) {
      err(`--reason must be one line of at most ${MAX_REASON} visible characters`);
      return 2;
    }
    const who = p.flags.as ?? (await (deps.callerIdentity ?? stsCallerIdentity)(region));
    if (who.trim() === '' || hasInvisibleCharacters(who)) {
      err('the caller identity is empty or holds control characters');
      return 2;
    }
    const update: Partial<Controls> = { setBy: who, reason };
    update[name] = state === 'on';
    await store.setControls(update, (deps.now ?? Date.now)());
    const after = await store.readControls();
    const code = show(after, table, p.json, out);
    return code;
  } catch (e) {
    err(`controls: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  } finally {
    client.destroy();
  }
}

function show(c: Controls, table: string, json: boolean, out: (l: string) => void): number {
  const anomalies = c.anomalies ?? [];
  if (json) {
    out(JSON.stringify({ table, killSwitch: c.killSwitch, dryRun: c.dryRun, setBy: c.setBy ?? null, reason: c.reason ?? null, anomalies }));
  } else {
    out(`controls (${table})`);
    out(`  kill switch: ${c.killSwitch ? 'ON' : 'off'}`);
    out(`  dry-run:     ${c.dryRun ? 'ON' : 'off'}`);
    out(`  set by:      ${c.setBy ?? '-'}`);
    out(`  reason:      ${c.reason ?? '-'}`);
    for (const a of anomalies) out(`  UNREADABLE (reads as ON until fixed): ${a}`);
    if (anomalies.length > 0) {
      out(`  fix: aws dynamodb update-item --table-name ${table} --key '{"pk":{"S":"controls"},"sk":{"S":"controls"}}' --update-expression 'REMOVE <attribute>'`);
    }
  }
  return anomalies.length > 0 ? 1 : 0;
}

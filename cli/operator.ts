/**
 * `autopilot request …`, `autopilot approve …`, `autopilot reject …`: a person asks the
 * autopilot or answers one of its human gates, through the operator-request function.
 *
 * The command is signed into a proof with the caller's own AWS credentials (an STS
 * GetCallerIdentity request bound to the command's SHA-256, domain/caller-proof.ts) and
 * sent with a synchronous Lambda Invoke. Nobody types an identity: the function asks STS.
 *
 *   autopilot request restore --db regami-db-primary --time 2026-01-15T02:30:00Z --reason "accidental deletion"
 *   autopilot request restore --db regami-db-primary --snapshot rds:regami-db-primary-2026-01-15 --reason "..."
 *   autopilot request s3-restore --bucket regami-uploads --prefix dogs/ --time 2026-01-15T02:00:00Z [--real] [--confirm-whole-bucket]
 *   autopilot request rollback --cluster regami-cluster --service regami-api --reason "bad deploy"
 *   autopilot approve [--incident <key>] [--note "..."] '<callback id>'
 *   autopilot reject  [--incident <key>] --note "why" '<callback id>'
 * Common options: --stage <stage> (default dev), --region <region> (default the stage's primary region).
 * Exit codes: 0 relayed / answered, 1 refused (the reason is printed and paged), 2 usage.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig } from '../config/load';
import { AUTOPILOT_DETAIL_TYPES } from '../events/types';
import { sha256Hex, signCallerProof } from '../adapters/aws/caller-identity';
import { OPERATOR_FUNCTION } from '../handlers/shared/contract';
import type { OperatorCommand, OperatorResult } from '../pipeline/operator-request';

const USAGE = `usage:
  autopilot request restore --db <id> (--time <iso> | --snapshot <id>) --reason <text> [--stage s] [--region r]
  autopilot request s3-restore --bucket <b> --prefix <p> --time <iso> [--real] [--confirm-whole-bucket] [--stage s] [--region r]
  autopilot request rollback --cluster <c> --service <s> --reason <text> [--stage s] [--region r]
  autopilot approve [--incident <key>] [--note <text>] [--stage s] [--region r] <callback id>
  autopilot reject  [--incident <key>] --note <text> [--stage s] [--region r] <callback id>`;

export class UsageError extends Error {}

interface Parsed {
  options: Record<string, string | true>;
  positional: string[];
}

const FLAGS = new Set(['real', 'confirm-whole-bucket']);

function parse(args: string[]): Parsed {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (FLAGS.has(name)) options[name] = true;
    else {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    }
  }
  return { options, positional };
}

function need(p: Parsed, name: string): string {
  const v = p.options[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** The command a CLI invocation means (pure: tested without AWS). */
export function buildOperatorCommand(verb: 'request' | 'approve' | 'reject', args: string[]): { command: OperatorCommand; stage?: string; region?: string } {
  const p = parse(args);
  const where = { ...(typeof p.options.stage === 'string' ? { stage: p.options.stage } : {}), ...(typeof p.options.region === 'string' ? { region: p.options.region } : {}) };
  const known = new Set(['stage', 'region']);
  const check = (allowed: string[]): void => {
    const unknown = Object.keys(p.options).filter((k) => !known.has(k) && !allowed.includes(k));
    if (unknown.length > 0) throw new UsageError(`unknown option(s) --${unknown.join(', --')}`);
  };
  if (verb === 'request') {
    const [kind, ...extra] = p.positional;
    if (extra.length > 0) throw new UsageError(`unexpected argument(s) ${extra.join(' ')}`);
    if (kind === 'restore') {
      check(['db', 'time', 'snapshot', 'reason']);
      const hasTime = typeof p.options.time === 'string';
      if (hasTime === (typeof p.options.snapshot === 'string')) throw new UsageError('give exactly one of --time and --snapshot');
      const detail = { dbInstanceId: need(p, 'db'), ...(hasTime ? { restoreTime: need(p, 'time') } : { snapshotId: need(p, 'snapshot') }), reason: need(p, 'reason') };
      return { command: { action: 'request', detailType: AUTOPILOT_DETAIL_TYPES.restoreRequested, detail }, ...where };
    }
    if (kind === 's3-restore') {
      check(['bucket', 'prefix', 'time', 'real', 'confirm-whole-bucket']);
      const prefix = p.options.prefix;
      if (typeof prefix !== 'string') throw new UsageError('--prefix is required (--prefix "" with --confirm-whole-bucket for the whole bucket)');
      const detail = {
        bucket: need(p, 'bucket'),
        prefix,
        restoreTime: need(p, 'time'),
        dryRun: p.options.real !== true,
        ...(p.options['confirm-whole-bucket'] === true ? { confirmWholeBucket: true } : {}),
      };
      return { command: { action: 'request', detailType: AUTOPILOT_DETAIL_TYPES.s3RestoreRequested, detail }, ...where };
    }
    if (kind === 'rollback') {
      check(['cluster', 'service', 'reason']);
      const detail = { cluster: need(p, 'cluster'), service: need(p, 'service'), reason: need(p, 'reason') };
      return { command: { action: 'request', detailType: AUTOPILOT_DETAIL_TYPES.rollbackRequested, detail }, ...where };
    }
    throw new UsageError(`request what? restore | s3-restore | rollback (got ${kind ?? 'nothing'})`);
  }
  check(['incident', 'note']);
  const [callbackId, ...extra] = p.positional;
  if (!callbackId || extra.length > 0) throw new UsageError('give exactly one callback id (printed in the page)');
  if (verb === 'reject' && typeof p.options.note !== 'string') throw new UsageError('--note is required to reject: say why');
  const command: OperatorCommand = {
    action: verb,
    callbackId,
    ...(typeof p.options.incident === 'string' ? { incidentKey: p.options.incident } : {}),
    ...(typeof p.options.note === 'string' ? { note: p.options.note } : {}),
  };
  return { command, ...where };
}

/** Signs and sends one command; returns what the function answered. */
export async function sendOperatorCommand(command: OperatorCommand, stage: string, region: string, lambda = new LambdaClient({ region })): Promise<OperatorResult> {
  const credentials = await lambda.config.credentials();
  const headers = await signCallerProof(credentials, region, sha256Hex(JSON.stringify(command)), new Date());
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: `runbook-autopilot-${stage}-${OPERATOR_FUNCTION.key}`,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify({ command, proof: { headers } })),
    }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  if (out.FunctionError) throw new Error(`operator-request failed: ${text.slice(0, 500)}`);
  return JSON.parse(text) as OperatorResult;
}

function operatorVerb(verb: 'request' | 'approve' | 'reject') {
  return async (args: string[]): Promise<number> => {
    let built: ReturnType<typeof buildOperatorCommand>;
    let stage: string;
    let region: string;
    try {
      built = buildOperatorCommand(verb, args);
      stage = built.stage ?? 'dev';
      region = built.region ?? loadConfig(stage).primaryRegion;
    } catch (err) {
      console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
      return 2;
    }
    const result = await sendOperatorCommand(built.command, stage, region);
    if (result.status === 'refused') {
      console.error(`REFUSED ${result.code}: ${result.reason}${result.caller ? ` (you are ${result.caller})` : ''}`);
      return 1;
    }
    console.log(result.status === 'relayed' ? `${result.detailType} sent, requested by ${result.requestedBy}` : `${result.outcome} by ${result.by}`);
    return 0;
  };
}

export const requestCommand = operatorVerb('request');
export const approveCommand = operatorVerb('approve');
export const rejectCommand = operatorVerb('reject');

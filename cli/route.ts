/**
 * `autopilot route [--stage <stage>] [--rules] <event.json>...`: which runbook handler(s) the
 * deployed rules deliver each event to, or that none does; `--rules` lists the rules themselves. The configuration is the
 * stage's (config/load.ts: defaults merged with config/<stage>.json; default stage dev).
 *
 * It evaluates eventRules(config), the very specs infra deploys, with matchesPattern, after
 * parsing the event exactly as a handler would, except for its age: a saved sample from
 * last month must still say where it would go today, so the age check is skipped
 * (ParseContext.ignoreAge). Account, region and every field are still checked.
 *
 * Exit codes (cli/main.ts): 0 every event was read (routed or not), 2 usage, an unreadable
 * file, or an event the parser rejects (the error names the field).
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config/load';
import { preflightScheduleOf, type AutopilotConfig } from '../domain/config';
import type { RuleSpec } from '../domain/event-patterns';
import { eventRules, matchingRules } from '../runbooks/routing';
import { describeRejection, parseEvent } from '../events/parse';
import type { AutopilotEvent } from '../events/types';
import { PREFLIGHT_FUNCTION, RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';
import { isUsageError, parseCommandArgs } from './args';

const USAGE = 'usage: autopilot route [--stage <stage>] [--rules] <event.json>...';

/** One line saying what the event is, from its typed form. */
export function summarizeEvent(event: AutopilotEvent): string {
  switch (event.kind) {
    case 'alarm':
      return `alarm ${event.detail.alarmName} (${event.detail.alarmType}) -> ${event.detail.state.value}`;
    case 'rds-instance':
      return `${event.detail.eventId} on instance ${event.detail.dbInstanceId}`;
    case 'rds-snapshot':
      return `${event.detail.eventId} on snapshot ${event.detail.snapshotId}`;
    case 'ecs-deployment':
      return `${event.detail.eventName} ${event.detail.deploymentId} on ${event.detail.clusterName}/${event.detail.serviceName}`;
    case 'ecs-task':
      return `task ${event.detail.lastStatus}${event.detail.stopCode ? ` (${event.detail.stopCode})` : ''} in ${event.detail.group ?? event.detail.clusterArn}`;
    case 'codedeploy':
      return `CodeDeploy ${event.detail.state} ${event.detail.deploymentId} in ${event.detail.application}/${event.detail.deploymentGroup}`;
    case 'restore-request': {
      const point = event.detail.restorePoint;
      return `restore of ${event.detail.dbInstanceId} from ${point.kind === 'snapshot' ? point.snapshotId : new Date(point.restoreTime).toISOString()} requested by ${event.detail.requestedBy}`;
    }
    case 's3-restore-request':
      return `S3 restore of s3://${event.detail.bucket}/${event.detail.prefix} to ${new Date(event.detail.restoreTime).toISOString()}${event.detail.dryRun ? ' (dry run)' : ''} requested by ${event.detail.requestedBy}`;
    case 'rollback-request':
      return `rollback of ${event.detail.cluster}/${event.detail.service} requested by ${event.detail.requestedBy}`;
    case 'scale-request':
      return `scale of ${event.detail.cluster}/${event.detail.service} requested (${event.detail.incidentKey})`;
    case 'scheduled':
      return `schedule rule ${event.resources[0]?.split('/').pop() ?? '(unnamed)'} fired (the preflight function's target, no runbook's)`;
  }
}

function describeRule(rule: RuleSpec): string {
  const fn = RUNBOOK_FUNCTIONS[rule.runbook];
  const bus = rule.bus === 'private' ? ' on the private bus (only the investigate-5xx intake and the operator-request function may put events there)' : '';
  return `  -> ${rule.runbook}: handler ${fn.intake} (${fn.intakeHandler}) via rule ${rule.name}${bus}`;
}

/** Route one file; returns false when it could not be read or was rejected. */
async function routeFile(path: string, config: AutopilotConfig): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    console.error(`${path}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  const parsed = parseEvent(text, { config, now: Date.now(), ignoreAge: true });
  if (!parsed.ok) {
    console.error(`${path}: ${describeRejection(parsed.rejection)}`);
    return false;
  }
  const { event } = parsed;
  console.log(`${path}: ${event.detailType} [${event.source}] ${summarizeEvent(event)}`);
  // Patterns are matched on the raw JSON, as EventBridge does, not on our typed form.
  const raw = JSON.parse(text) as unknown;
  const rules = [...matchingRules(config, raw, 'default'), ...matchingRules(config, raw, 'private')];
  if (event.kind === 'scheduled') {
    // Schedule rules have no pattern: the preflight's rule (infra/preflight.ts) targets its function directly.
    console.log(`  -> the scheduled readiness check: handler ${PREFLIGHT_FUNCTION.key} (${PREFLIGHT_FUNCTION.handler}) via its schedule rule (${preflightScheduleOf(config)})`);
    return true;
  }
  if (rules.length === 0) console.log('  -> no rule delivers this event');
  for (const rule of rules) console.log(describeRule(rule));
  return true;
}

interface RouteArgs {
  stage?: string;
  /** List the deployed rules instead of (or before) routing files. */
  rules: boolean;
  files: string[];
}

function parseArgs(args: string[]): RouteArgs | string {
  const parsed = parseCommandArgs(args, { stage: { type: 'string' }, rules: { type: 'boolean' } });
  if (isUsageError(parsed)) return parsed.error;
  const rules = parsed.values.rules ?? false;
  if (parsed.positionals.length === 0 && !rules) return 'no event file given';
  return { files: parsed.positionals, rules, ...(parsed.values.stage !== undefined ? { stage: parsed.values.stage } : {}) };
}

/** `--rules`: every rule the stage's config deploys, per runbook, and how many. */
function printRules(config: AutopilotConfig): void {
  const rules = eventRules(config);
  for (const rule of rules) console.log(`${rule.name.padEnd(32)} -> ${rule.runbook}: ${rule.description}`);
  const runbooks = new Set(rules.map((r) => r.runbook)).size;
  console.log(`${rules.length} rule(s) for ${runbooks} runbook(s)`);
}

export async function routeCommand(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    console.error(`${parsed}\n${USAGE}`);
    return 2;
  }
  let config: AutopilotConfig;
  try {
    config = loadConfig(parsed.stage);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  if (parsed.rules) printRules(config);
  let allRead = true;
  for (const path of parsed.files) {
    // Every file is reported, even after a bad one, so one run shows all problems.
    if (!(await routeFile(path, config))) allRead = false;
  }
  return allRead ? 0 : 2;
}

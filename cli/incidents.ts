/**
 * Reports from the real table (issue 16 item 5), read-only:
 *   autopilot incidents --stage X [--since 24h] [--json]   incidents in the deployed state table
 *   autopilot report <incident key> --stage X [--out f.md]  the post-incident draft (Markdown) the drill writes
 * The table is runbook-autopilot-<stage>-state in the stage's primary region (the caller's
 * credentials); --table, --region and --endpoint point elsewhere (a local dynalite in tests).
 * Exit codes: 0 ok, 1 incident not found, 2 usage or invalid config.
 */
import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError, loadConfig } from '../config/load';
import { listIncidents, readIncident } from '../adapters/dynamo/incident-list';
import { renderIncidentReport } from '../drill/report';
import { parseDuration } from '../drill/duration';
import { takeOption } from './stage-arg';

interface TableTarget {
  client: DynamoDBClient;
  tableName: string;
  rest: string[];
}

export function target(args: string[], usage: string): TableTarget | string {
  let rest = args;
  const take = (name: string) => {
    const t = takeOption(rest, name);
    rest = t.rest;
    return t;
  };
  const stage = take('stage');
  const table = take('table');
  const region = take('region');
  const endpoint = take('endpoint');
  const error = stage.error ?? table.error ?? region.error ?? endpoint.error;
  if (error) return `${error}\n${usage}`;
  if (!stage.value && !table.value) return `--stage is required\n${usage}`;
  let home = region.value;
  if (stage.value && !home) {
    try {
      home = loadConfig(stage.value).primaryRegion;
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
  }
  const client = new DynamoDBClient({
    region: home ?? 'us-east-1',
    ...(endpoint.value ? { endpoint: endpoint.value, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return { client, tableName: table.value ?? `runbook-autopilot-${stage.value}-state`, rest };
}

const INCIDENTS_USAGE = 'usage: autopilot incidents --stage <stage> [--since 24h] [--json] [--table T] [--region R]';

export async function incidentsCommand(args: string[], now: number = Date.now()): Promise<number> {
  const t = target(args, INCIDENTS_USAGE);
  if (typeof t === 'string') {
    console.error(t);
    return 2;
  }
  const since = takeOption(t.rest, 'since');
  const json = since.rest.includes('--json');
  const unknown = since.rest.filter((a) => a !== '--json');
  const seconds = since.value === undefined ? 24 * 3600 : parseDuration(since.value);
  if (since.error || unknown.length > 0 || seconds === undefined) {
    console.error(`${since.error ?? (unknown.length ? `unknown argument ${unknown.join(' ')}` : `--since ${since.value}: not a duration (e.g. 30m, 24h, 168h)`)}\n${INCIDENTS_USAGE}`);
    return 2;
  }
  const { incidents, unreadable } = await listIncidents(t.client, t.tableName, now - seconds * 1000);
  if (json) {
    console.log(JSON.stringify({ table: t.tableName, since: new Date(now - seconds * 1000).toISOString(), incidents, unreadable }, null, 2));
    return 0;
  }
  const lines = [`${incidents.length} incident(s) in ${t.tableName} since ${new Date(now - seconds * 1000).toISOString()}`];
  for (const i of incidents) {
    lines.push(`${new Date(i.detectedAt).toISOString()}  ${i.severity}  ${i.status.padEnd(9)}  ${i.runbook.padEnd(19)}  ${i.key}  ${i.title}  (actions ${i.actions}, refusals ${i.refusals})`);
  }
  if (unreadable.length) lines.push(`${unreadable.length} incident item(s) could not be read: ${unreadable.join(', ')}`);
  if (incidents.length) lines.push('', 'autopilot report <key> --stage <stage>  renders one as the post-incident draft');
  console.log(lines.join('\n'));
  return 0;
}

const REPORT_USAGE = 'usage: autopilot report <incident key> --stage <stage> [--out draft.md] [--table T] [--region R]';

export async function reportCommand(args: string[]): Promise<number> {
  const t = target(args, REPORT_USAGE);
  if (typeof t === 'string') {
    console.error(t);
    return 2;
  }
  const out = takeOption(t.rest, 'out');
  const keys = out.rest.filter((a) => !a.startsWith('--'));
  if (out.error || keys.length !== 1 || out.rest.length !== 1) {
    console.error(`${out.error ?? 'exactly one incident key is required'}\n${REPORT_USAGE}`);
    return 2;
  }
  const rec = await readIncident(t.client, t.tableName, keys[0]!);
  if (!rec) {
    console.error(`no incident ${keys[0]} in ${t.tableName} (autopilot incidents lists them)`);
    return 1;
  }
  const markdown = renderIncidentReport(rec, `the state table ${t.tableName}`);
  if (out.value) writeFileSync(out.value, markdown);
  else console.log(markdown);
  return 0;
}

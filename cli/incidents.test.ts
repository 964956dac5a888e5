/** autopilot incidents / report against the state table (dynalite): issue 16 item 5. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoGuardrailStore } from '../adapters/dynamo/guardrail-store';
import { openIncident, type IncidentRecord } from '../domain/incident';
import { freshStateTable } from '../test/support/state-table';
import { incidentsCommand, reportCommand } from './incidents';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const HOUR = 3600_000;

function incident(key: string, detectedAt: number, over: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    ...openIncident({ key, runbook: 'scale-ecs', title: `CPU high on regami-service (${key})`, severity: 'P2', detectedAt }),
    status: 'mitigated',
    startedAt: detectedAt + 60_000,
    mitigatedAt: detectedAt + 120_000,
    actionsTaken: ['scaled out 2 -> 4'],
    timeline: [
      { at: detectedAt, kind: 'event', summary: 'regami-ecs-cpu-high ALARM', mode: 'live' },
      { at: detectedAt + 60_000, kind: 'action', summary: 'scale regami-service out 2 -> 4', mode: 'live' },
      { at: detectedAt + 61_000, kind: 'aws-call', summary: 'ECS.UpdateService', service: 'ECS', operation: 'UpdateService' },
    ],
    ...over,
  };
}

async function captured(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await run(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('autopilot incidents / report on the state table', () => {
  let endpoint: string;
  let tableName: string;

  beforeAll(async () => {
    const t = await freshStateTable('incidents');
    endpoint = t.endpoint;
    tableName = t.tableName;
    const store = new DynamoGuardrailStore(t.client, tableName);
    await store.saveIncident(incident('scale-ecs-regami-service-old', T0 - 30 * HOUR));
    await store.saveIncident(incident('scale-ecs-regami-service-1', T0 - 2 * HOUR));
    await store.saveIncident(incident('scale-ecs-regami-service-2', T0 - HOUR, { status: 'escalated', mitigatedAt: undefined, refusals: ['scale-out: Cooldown'], timeline: [{ at: T0 - HOUR, kind: 'action', summary: 'SHADOW: would scale regami-service out 2 -> 4', mode: 'shadow' }] }));
    // Not incidents: the listing must skip them.
    await store.setControls({ killSwitch: false }, T0);
    await store.recordAction({ scope: 'svc', action: 'scale-out', at: T0 - HOUR, incidentKey: 'scale-ecs-regami-service-1' });
  });

  const table = () => ['--table', tableName, '--endpoint', endpoint, '--region', 'us-east-1'];

  it('lists the incidents of the last 24 h by default, newest first, and nothing else in the table', async () => {
    const { code, out } = await captured(() => incidentsCommand(table(), T0));
    expect(code).toBe(0);
    expect(out).toMatch(/^2 incident\(s\) in /);
    const two = out.indexOf('scale-ecs-regami-service-2');
    const one = out.indexOf('scale-ecs-regami-service-1');
    expect(two).toBeGreaterThan(0);
    expect(one).toBeGreaterThan(two);
    expect(out).not.toContain('scale-ecs-regami-service-old');
    expect(out).toContain('escalated');
  });

  it('--since widens the window; --json gives the same incidents as data', async () => {
    const { out } = await captured(() => incidentsCommand([...table(), '--since', '48h', '--json'], T0));
    const parsed = JSON.parse(out) as { incidents: { key: string; status: string; actions: number }[] };
    expect(parsed.incidents.map((i) => i.key)).toEqual(['scale-ecs-regami-service-2', 'scale-ecs-regami-service-1', 'scale-ecs-regami-service-old']);
    expect(parsed.incidents[1]).toMatchObject({ status: 'mitigated', actions: 1 });
  });

  it('rejects a --since that is not a duration', async () => {
    const { code, err } = await captured(() => incidentsCommand([...table(), '--since', 'yesterday'], T0));
    expect(code).toBe(2);
    expect(err).toMatch(/--since yesterday: not a duration/);
  });

  it('report renders the post-incident draft of one incident, with the mode of non-live lines', async () => {
    const { code, out } = await captured(() => reportCommand(['scale-ecs-regami-service-2', ...table()]));
    expect(code).toBe(0);
    expect(out).toContain('# Post-incident draft: scale-ecs-regami-service-2');
    expect(out).toContain('| Time of detection | 2026-01-15T02:00:00.000Z |');
    expect(out).toContain('**action** _(shadow)_ SHADOW: would scale regami-service out 2 -> 4');
    expect(out).toContain('- [ ] Review why the autopilot refused: scale-out: Cooldown');
    expect(out).toContain('## Post-Incident Procedures');
  });

  it('report --out writes the Markdown file; an unknown key exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'draft.md');
    expect((await captured(() => reportCommand(['scale-ecs-regami-service-1', ...table(), '--out', file]))).code).toBe(0);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('| Actions taken | scaled out 2 -> 4 |');
    expect(md).toContain('| Downtime duration | 2m00s |');
    const missing = await captured(() => reportCommand(['no-such-incident', ...table()]));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no incident no-such-incident/);
  });
});

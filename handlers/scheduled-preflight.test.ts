/**
 * The scheduled preflight's Lambda entry: a Scheduled Event of the stage's rule runs the check
 * (with the IAM policy simulation when the stack is known); anything else is answered
 * rejected without a single AWS call; a check that fails is rethrown (Lambda retries, then the
 * on-failure queue pages P2).
 */
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { defaultConfig } from '../domain/config';
import { loadSample } from '../events/samples/load';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import { deployedName, PREFLIGHT_FUNCTION } from './shared/contract';
import { functionPolicies } from '../infra/iam-policy';
import { buildHandler } from './scheduled-preflight';

const context = { getRemainingTimeInMillis: () => 300_000, functionName: 'runbook-autopilot-dev-scheduledPreflight', awsRequestId: 'test' } as unknown as Context;

async function harness(opts: { iam?: boolean } = {}) {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName } = await freshStateTable('preflight-handler');
  const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
  if (opts.iam) world.setIam({ policies: functionPolicies(defaultConfig, { account: world.account, tableName }), roleName: (fn) => deployedName('dev', fn), caller: () => PREFLIGHT_FUNCTION.key });
  const handler = buildHandler(() => rt, () => (opts.iam ? { tableName } : undefined));
  const scheduled = (over: Record<string, unknown> = {}) => ({ ...loadSample('scheduled-preflight'), time: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), ...over });
  return { world, rt, handler, scheduled };
}

describe('handlers/scheduled-preflight', () => {
  it('runs the check on its Scheduled Event: every runbook judged, the policy simulation run under its own role, RunbookReady published', async () => {
    const h = await harness({ iam: true });
    const out = await h.handler(h.scheduled(), context);
    expect(out).toEqual({ status: 'checked', results: expect.any(Array) });
    if (out.status !== 'checked') throw new Error('not checked');
    expect(out.results.map((r) => [r.runbook, r.ready])).toEqual([
      ['database-failover', true],
      ['rollback-deployment', true],
      ['scale-ecs', true],
      ['investigate-5xx', true],
      ['restore-from-backup', true],
    ]);
    expect(h.world.calls.some((c) => c.service === 'IAM' && c.operation === 'SimulatePrincipalPolicy')).toBe(true);
    expect(h.world.regions.get('us-east-1')!.cloudwatch.published).toHaveLength(5);
    expect(h.world.snsOutbox).toHaveLength(0);
    expect(h.world.authorizations.every((a) => a.caller === PREFLIGHT_FUNCTION.key && a.decisions.every((d) => d.allowed))).toBe(true);
  });

  it('accepts a late delivery (Lambda retries an async invocation for up to an hour)', async () => {
    const h = await harness();
    const late = new Date(h.rt.clock.now() - 3600_000).toISOString();
    expect((await h.handler(h.scheduled({ time: late }), context)).status).toBe('checked');
  });

  const iso = (ms: number): string => new Date(ms).toISOString();
  it.each([
    ['an alarm event', (now: number): unknown => ({ ...loadSample('alarm-cpu-metric-math'), time: iso(now) }), /not a Scheduled Event/],
    ['a Scheduled Event of a foreign account', (now: number): unknown => ({ ...loadSample('scheduled-preflight'), account: '999999999999', time: iso(now) }), /foreign-account/],
    ['a Scheduled Event three hours old', (now: number): unknown => ({ ...loadSample('scheduled-preflight'), time: iso(now - 3 * 3600_000) }), /too-old/],
    ['no event at all', (): unknown => 'not json', /malformed-json/],
  ])('rejects %s without an AWS call', async (_name, make, reason) => {
    const h = await harness();
    const out = await h.handler(make(h.rt.clock.now()), context);
    expect(out).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(h.world.calls).toEqual([]);
  });

  it('rethrows a check that fails, so Lambda retries it and the on-failure queue keeps it', async () => {
    const h = await harness();
    h.world.addFault({ kind: 'server-error', service: 'CloudWatch', operation: 'PutMetricData' });
    await expect(h.handler(h.scheduled(), context)).rejects.toThrow(/Internal failure/);
  });
});

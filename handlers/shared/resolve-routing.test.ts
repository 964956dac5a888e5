import { DynamoGuardrailStore } from '../../adapters/dynamo/guardrail-store';
import type { Page } from '../../domain/paging';
import { freshStateTable } from '../../test/support/state-table';
import { resolvesWhereTriggered } from '../../adapters/runtime/pagers';

const base: Page = {
  incidentKey: 'scale-ecs-regami-service',
  action: 'trigger',
  severity: 'P2',
  runbook: 'scale-ecs',
  title: 'Scale-out capped at the maximum',
  resource: 'regami-service',
  at: 0,
  diagnosis: [],
  done: [],
  refused: [],
  nextStep: '',
};

describe('resolves go where the triggers went (PagerDuty resolves only through the same routing key)', () => {
  it('sends the resolve to the severity that was triggered, not to the severity of the resolve page', async () => {
    const { client, tableName } = await freshStateTable('resolve');
    const sent: Page[] = [];
    const pager = resolvesWhereTriggered({ send: async (p) => void sent.push(p) }, new DynamoGuardrailStore(client, tableName), { now: () => 1_000 });
    await pager.send(base);
    await pager.send({ ...base, action: 'resolve', severity: 'P4', title: 'back to 2 tasks' });
    expect(sent.map((p) => `${p.action}:${p.severity}`)).toEqual(['trigger:P2', 'resolve:P2']);
  });

  it('resolves every severity an incident triggered, and uses its own severity when nothing was triggered', async () => {
    const { client, tableName } = await freshStateTable('resolve');
    const sent: Page[] = [];
    const pager = resolvesWhereTriggered({ send: async (p) => void sent.push(p) }, new DynamoGuardrailStore(client, tableName), { now: () => 1_000 });
    await pager.send({ ...base, severity: 'P1' });
    await pager.send({ ...base, severity: 'P2' });
    await pager.send({ ...base, action: 'resolve', severity: 'P4' });
    await pager.send({ ...base, incidentKey: 'other', action: 'resolve', severity: 'P3' });
    expect(sent.map((p) => `${p.incidentKey}:${p.action}:${p.severity}`)).toEqual([
      'scale-ecs-regami-service:trigger:P1',
      'scale-ecs-regami-service:trigger:P2',
      'scale-ecs-regami-service:resolve:P1',
      'scale-ecs-regami-service:resolve:P2',
      'other:resolve:P3',
    ]);
  });
});

import { defaultConfig } from '../../domain/config';
import { parseConfig } from '../../adapters/runtime/environment';

describe('AUTOPILOT_CONFIG at cold start', () => {
  it('accepts the deployed configuration and fills nothing it was not given', () => {
    expect(parseConfig(JSON.stringify(defaultConfig))).toEqual(defaultConfig);
  });
  it('fails loudly, naming the field, on a partial guardrail instead of deciding with NaN later', () => {
    const partial = JSON.parse(JSON.stringify(defaultConfig));
    partial.guardrails.scaling.cooldownSeconds = 'five minutes';
    expect(() => parseConfig(JSON.stringify(partial))).toThrow(/guardrails\.scaling\.cooldownSeconds/);
    const typo = JSON.parse(JSON.stringify(defaultConfig));
    typo.guardrails.failover.confirmCheks = 3;
    expect(() => parseConfig(JSON.stringify(typo))).toThrow(/confirmCheks: unknown field/);
  });
});

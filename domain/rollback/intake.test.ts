import { defaultConfig } from '../config';
import { parseEvent } from '../../events';
import { loadSample, sampleTime } from '../../events/samples/load';
import { rollbackIncidentKey, rollbackIntake } from './intake';

function parsed(name: string, patch: (e: Record<string, unknown>) => void = () => undefined) {
  const raw = loadSample(name);
  patch(raw);
  const r = parseEvent(raw, { config: defaultConfig, now: sampleTime(name) + 5000 });
  if (!r.ok) throw new Error(`sample ${name} did not parse: ${r.rejection.message}`);
  return r.event;
}

describe('rollbackIntake', () => {
  it('starts a rollback on SERVICE_DEPLOYMENT_FAILED for the configured service', () => {
    const i = rollbackIntake(parsed('ecs-deployment-failed'), defaultConfig);
    expect(i.kind).toBe('trigger');
    expect(i.kind === 'trigger' && i.trigger.kind).toBe('ecs-deployment-failed');
  });

  it('ignores deployment events that are not failures', () => {
    expect(rollbackIntake(parsed('ecs-deployment-completed'), defaultConfig).kind).toBe('ignore');
    expect(rollbackIntake(parsed('ecs-deployment-in-progress'), defaultConfig).kind).toBe('ignore');
  });

  it('ignores a failed deployment of another service', () => {
    const e = parsed('ecs-deployment-failed', (raw) => {
      raw.resources = ['arn:aws:ecs:us-east-1:123456789012:service/regami-cluster/other-service'];
    });
    expect(rollbackIntake(e, defaultConfig)).toMatchObject({ kind: 'ignore' });
  });

  it('starts a blue/green rollback on CodeDeploy FAILURE of the configured group only', () => {
    const i = rollbackIntake(parsed('codedeploy-failure'), defaultConfig);
    expect(i.kind === 'trigger' && i.trigger).toEqual({ kind: 'codedeploy-failure', deploymentId: 'd-7K3QX9Z2A' });
    expect(rollbackIntake(parsed('codedeploy-success'), defaultConfig).kind).toBe('ignore');
  });

  it('accepts the Rollback Requested hand-off with its evidence', () => {
    const i = rollbackIntake(parsed('autopilot-rollback-requested'), defaultConfig);
    expect(i.kind === 'trigger' && i.trigger.kind).toBe('rollback-requested');
    expect(i.kind === 'trigger' && i.trigger.kind === 'rollback-requested' && i.trigger.evidence.length).toBe(3);
  });

  it('keys one incident per bad deployment', () => {
    const a = rollbackIncidentKey(defaultConfig, 'ecs-svc/4503599627370496123');
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(rollbackIncidentKey(defaultConfig, 'ecs-svc/4503599627370496123')).toBe(a);
    expect(rollbackIncidentKey(defaultConfig, 'ecs-svc/4503599627370496999')).not.toBe(a);
  });
});

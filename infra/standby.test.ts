/**
 * The standby stage (config/prod-dr.json): the statically stable failover of issue 15 runs in
 * the secondary region with its own functions, state table, topics and data-plane signals.
 * (CI packages it: .ci/run `sls package --stage prod-dr`.)
 */
import { loadConfig } from '../config/load';
import { eventRules } from '../runbooks/routing';
import { alarmNameMatches } from '../domain/config';
import { deployedFunctions } from './functions';
import { regionFor } from './serverless-config';
import { REPLAY_STOPPED_ALARM, STANDBY_HEALTH_CHECK_ID, STANDBY_PROBE_PRIMARY_ID, STANDBY_PROBE_SECONDARY_ID, STANDBY_REPLAY_ALARM_ID, standbyResources } from './standby';

describe('standby stage prod-dr (us-west-2)', () => {
  const dr = loadConfig('prod-dr');

  it('deploys only the database failover, in the secondary region, paging through topics there', () => {
    expect(regionFor('prod-dr')).toBe('us-west-2');
    expect(regionFor('prod')).toBe('us-east-1');
    expect(deployedFunctions('prod-dr').map((f) => f.key).sort()).toEqual(['databaseFailover', 'databaseFailoverWorkflow']);
    expect(deployedFunctions('prod').length).toBeGreaterThan(2);
    for (const arn of Object.values(dr.paging.topics)) expect(arn).toMatch(/^arn:aws:sns:us-west-2:\d{12}:runbook-autopilot-prod-dr-p[1-4]$/);
    expect(dr.guardrails.failover.requireApproval).toBe(true);
  });

  it('its trigger is the replica replay-stopped alarm in its own region, routed by the failover alarm rule', () => {
    expect(alarmNameMatches(dr.alarms.databaseDown, REPLAY_STOPPED_ALARM)).toBe(true);
    expect(eventRules(dr).some((r) => r.runbook === 'database-failover' && JSON.stringify(r.pattern).includes(REPLAY_STOPPED_ALARM))).toBe(true);
  });

  it('adds the health check, the TXT probe pair governed by it, and the replay alarm; a primary-region stage adds none', () => {
    const r = standbyResources(dr);
    expect(r[STANDBY_HEALTH_CHECK_ID]?.Properties).toMatchObject({ HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: dr.primaryAlb.dnsName, ResourcePath: '/health?check=db' } });
    expect(r[STANDBY_PROBE_PRIMARY_ID]?.Properties).toMatchObject({ Name: dr.dns.primaryHealthProbe.recordName, Type: 'TXT', Failover: 'PRIMARY', HealthCheckId: { Ref: STANDBY_HEALTH_CHECK_ID }, ResourceRecords: [`"${dr.dns.primaryHealthProbe.healthyValue}"`] });
    expect(r[STANDBY_PROBE_SECONDARY_ID]?.Properties).toMatchObject({ Failover: 'SECONDARY' });
    expect(r[STANDBY_REPLAY_ALARM_ID]?.Properties).toMatchObject({ AlarmName: REPLAY_STOPPED_ALARM, MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: dr.database.replicaInstanceId }] });
    expect(standbyResources(loadConfig('prod'))).toEqual({});
    expect(standbyResources(loadConfig('dev'))).toEqual({});
  });
});

describe('config deployment', () => {
  it('refuses a region outside the primary and secondary, or a standby that would run other runbooks', () => {
    const base = loadConfig('dev');
    const { validateConfig } = jest.requireActual('../config/load') as typeof import('../config/load');
    expect(() => validateConfig({ ...base, deployment: { region: 'eu-west-1', runbooks: ['database-failover'] } })).toThrow(/deployment.region/);
    expect(() => validateConfig({ ...base, deployment: { region: 'us-west-2', runbooks: ['database-failover', 'scale-ecs'] } })).toThrow(/deployment.runbooks/);
    expect(() => validateConfig({ ...base, deployment: { region: 'us-east-1', runbooks: [] } })).toThrow(/deployment.runbooks/);
  });
});

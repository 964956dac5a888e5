import { RUNBOOKS, defaultConfig, type AutopilotConfig, type RunbookId } from '../domain/config';
import type { EventBusId, EventPattern } from '../domain/event-patterns';
import { PRIMARY_FAILING_EVENT_IDS } from '../domain/failover/event-rules';
import { SAMPLE_NAMES, loadSample } from '../events/samples/load';
import { RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';
import { RUNBOOK_REGISTRY } from './registry';
import { RULE_ORDER, eventRules, matchingRules, routeEvent } from './routing';

const config = defaultConfig;

/** Where each sample must go: the routing table of the runbooks, as data. */
const EXPECTED_ROUTE: Record<string, RunbookId[]> = {
  'alarm-5xx-alarm': ['investigate-5xx'],
  'alarm-5xx-ok': ['investigate-5xx'],
  'alarm-cpu-metric-math': ['scale-ecs'],
  'alarm-cpu-insufficient-data': [],
  'alarm-db-down-composite': ['database-failover'],
  'alarm-unrelated': [],
  'autopilot-restore-requested': ['restore-from-backup'],
  'autopilot-restore-requested-pitr': ['restore-from-backup'],
  'autopilot-rollback-requested': ['rollback-deployment'],
  'autopilot-s3-restore-requested': ['restore-from-backup'],
  'autopilot-scale-requested': ['scale-ecs'],
  'codedeploy-failure': ['rollback-deployment'],
  'codedeploy-success': [],
  'ecs-deployment-completed': [],
  'ecs-deployment-failed': ['rollback-deployment'],
  'ecs-deployment-in-progress': [],
  'ecs-task-stopped-oom': [],
  'rds-instance-backups-disabled': ['restore-from-backup'],
  'rds-instance-failover-completed': [],
  'rds-instance-storage-full': ['database-failover'],
  'rds-snapshot-created': [],
  'rds-snapshot-export-failed': ['restore-from-backup'],
  // The preflight function's schedule rule targets it directly: no runbook rule matches a Scheduled Event.
  'scheduled-preflight': [],
};

/** Our own requests and hand-offs travel on the private bus; AWS's events on the default bus. */
const busOf = (name: string): EventBusId => (name.startsWith('autopilot-') ? 'private' : 'default');

function withDetail(name: string, change: (detail: Record<string, unknown>, event: Record<string, unknown>) => void): Record<string, unknown> {
  const event = loadSample(name);
  change(event.detail as Record<string, unknown>, event);
  return event;
}

describe('routeEvent on the samples', () => {
  it('has an expected route for every sample', () => {
    expect([...SAMPLE_NAMES].sort()).toEqual(Object.keys(EXPECTED_ROUTE).sort());
  });

  it.each(SAMPLE_NAMES)('routes %s to its runbook(s)', (name) => {
    expect(routeEvent(config, loadSample(name), busOf(name))).toEqual(EXPECTED_ROUTE[name]);
  });

  it.each(SAMPLE_NAMES.filter((n) => busOf(n) === 'private'))('delivers %s from the default bus to nobody (anyone with events:PutEvents can write there)', (name) => {
    expect(routeEvent(config, loadSample(name), 'default')).toEqual([]);
    expect(routeEvent(config, loadSample(name))).toEqual([]);
  });

  it.each(SAMPLE_NAMES.filter((n) => busOf(n) === 'default'))('delivers the AWS event %s from the private bus to nobody', (name) => {
    expect(routeEvent(config, loadSample(name), 'private')).toEqual([]);
  });

  it('puts every rule for source runbook-autopilot on the private bus, and every other rule on the default bus', () => {
    for (const rule of eventRules(config)) {
      const ours = JSON.stringify(rule.pattern.source) === JSON.stringify(['runbook-autopilot']);
      expect({ rule: rule.name, bus: rule.bus }).toEqual({ rule: rule.name, bus: ours ? 'private' : 'default' });
    }
  });

  it('every runbook is reachable from some sample', () => {
    const reached = new Set(Object.values(EXPECTED_ROUTE).flat());
    expect([...reached].sort()).toEqual([...RUNBOOKS].sort());
  });

  it('names the rule that delivered the event', () => {
    expect(matchingRules(config, loadSample('alarm-cpu-metric-math')).map((r) => r.name)).toEqual(['scale-ecs-cpu-alarm']);
    expect(matchingRules(config, loadSample('codedeploy-failure')).map((r) => r.name)).toEqual(['rollback-codedeploy-failure']);
  });
});

describe('routeEvent keeps the rules narrow', () => {
  it('delivers nothing from another account, even a perfect match otherwise', () => {
    for (const name of SAMPLE_NAMES) {
      const event = loadSample(name);
      event.account = '999999999999';
      expect(routeEvent(config, event)).toEqual([]);
    }
  });

  it('matches configured alarms exactly (name or ARN), never by prefix (issue 13: a prefix matched another service)', () => {
    const named = (alarmName: string) => withDetail('alarm-5xx-alarm', (d) => (d.alarmName = alarmName));
    expect(routeEvent(config, named('regami-alb-5xx-high'))).toEqual(['investigate-5xx']);
    expect(routeEvent(config, named('regami-alb-5xx-high-p99'))).toEqual([]);
    expect(routeEvent(config, named('regami-alb-5x'))).toEqual([]);
    expect(routeEvent(config, named('prod-regami-alb-5xx-high'))).toEqual([]);
    const byArn: AutopilotConfig = { ...config, alarms: { ...config.alarms, fiveXx: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:regami-alb-5xx-high'] } };
    expect(routeEvent(byArn, named('regami-alb-5xx-high'))).toEqual(['investigate-5xx']);
    expect(routeEvent(byArn, named('regami-alb-5xx-high-p99'))).toEqual([]);
  });

  it('takes the alarm names from configuration, not from code', () => {
    const renamed: AutopilotConfig = { ...config, alarms: { ...config.alarms, cpu: ['other-cpu-1'] } };
    expect(routeEvent(renamed, loadSample('alarm-cpu-metric-math'))).toEqual([]);
    expect(routeEvent(renamed, withDetail('alarm-cpu-metric-math', (d) => (d.alarmName = 'other-cpu-1')))).toEqual(['scale-ecs']);
  });

  it('leaves out an alarm rule when no alarm names are configured (EventBridge refuses empty lists)', () => {
    const none: AutopilotConfig = { ...config, alarms: { ...config.alarms, databaseDown: [] } };
    expect(eventRules(none).map((r) => r.name)).not.toContain('failover-db-down-alarm');
    expect(routeEvent(none, loadSample('alarm-db-down-composite'))).toEqual([]);
  });

  it('routes each primary-failing RDS event ID, only for the primary instance', () => {
    for (const id of Object.keys(PRIMARY_FAILING_EVENT_IDS)) {
      expect(routeEvent(config, withDetail('rds-instance-storage-full', (d) => (d.EventID = id)))).toContain('database-failover');
    }
    const replica = withDetail('rds-instance-storage-full', (d, e) => {
      e.resources = ['arn:aws:rds:us-east-1:123456789012:db:regami-db-replica'];
      d.SourceArn = 'arn:aws:rds:us-east-1:123456789012:db:regami-db-replica';
    });
    expect(routeEvent(config, replica)).toEqual([]);
  });

  it('matches RDS events on EventID, never on the message text', () => {
    const reworded = withDetail('rds-instance-storage-full', (d) => (d.Message = 'something entirely different'));
    expect(routeEvent(config, reworded)).toEqual(['database-failover']);
    const sameTextOtherId = withDetail('rds-instance-storage-full', (d) => (d.EventID = 'RDS-EVENT-0089'));
    expect(routeEvent(config, sameTextOtherId)).toEqual([]);
  });

  it('routes RDS-EVENT-0031 (failed, PITR recommended) to both failover and a restore page', () => {
    expect(routeEvent(config, withDetail('rds-instance-storage-full', (d) => (d.EventID = 'RDS-EVENT-0031')))).toEqual([
      'database-failover',
      'restore-from-backup',
    ]);
  });

  it('routes a failed deployment of our service only', () => {
    const other = withDetail('ecs-deployment-failed', (_d, e) => (e.resources = ['arn:aws:ecs:us-east-1:123456789012:service/regami-cluster/other-service']));
    expect(routeEvent(config, other)).toEqual([]);
  });

  it('routes CodeDeploy FAILURE for our application and group only', () => {
    expect(routeEvent(config, withDetail('codedeploy-failure', (d) => (d.deploymentGroup = 'other-group')))).toEqual([]);
    expect(routeEvent(config, withDetail('codedeploy-failure', (d) => (d.state = 'STOP')))).toEqual([]);
  });

  it('routes our own requests only for our service, database and buckets', () => {
    expect(routeEvent(config, withDetail('autopilot-scale-requested', (d) => (d.service = 'other')), 'private')).toEqual([]);
    expect(routeEvent(config, withDetail('autopilot-rollback-requested', (d) => (d.cluster = 'other')), 'private')).toEqual([]);
    expect(routeEvent(config, withDetail('autopilot-restore-requested', (d) => (d.dbInstanceId = 'other-db')), 'private')).toEqual([]);
    expect(routeEvent(config, withDetail('autopilot-restore-requested', (d) => (d.dbInstanceId = 'regami-db-replica')), 'private')).toEqual(['restore-from-backup']);
    expect(routeEvent(config, withDetail('autopilot-s3-restore-requested', (d) => (d.bucket = 'other-bucket')), 'private')).toEqual([]);
    expect(routeEvent(config, withDetail('autopilot-scale-requested', (_d, e) => (e.source = 'someone-else')), 'private')).toEqual([]);
  });

  it('routes nothing for non-objects', () => {
    for (const junk of [null, 42, 'text', [], [loadSample('alarm-5xx-alarm')]]) expect(routeEvent(config, junk)).toEqual([]);
  });
});

describe('eventRules', () => {
  const rules = eventRules(config);

  it('gives every runbook at least one rule, with unique valid names and a known handler', () => {
    expect(new Set(rules.map((r) => r.runbook))).toEqual(new Set(RUNBOOKS));
    const names = rules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      // EventBridge rule names: 1-64 of [.-_A-Za-z0-9]; infra prefixes 'runbook-autopilot-<stage>-'.
      expect(rule.name).toMatch(/^[a-z0-9-]{1,32}$/);
      expect(RUNBOOK_FUNCTIONS[rule.runbook].intakeHandler).toBeTruthy();
      expect(rule.description.length).toBeLessThanOrEqual(512);
    }
  });

  it('restricts every pattern to the configured accounts', () => {
    for (const rule of rules) expect(rule.pattern.account).toEqual(config.accountIds);
  });

  it('builds patterns EventBridge accepts: JSON under 4096 characters, no empty lists', () => {
    const emptyLists = (p: EventPattern): string[] =>
      Object.entries(p).flatMap(([k, v]) => (Array.isArray(v) ? (v.length === 0 ? [k] : []) : emptyLists(v)));
    for (const rule of rules) {
      expect(JSON.stringify(rule.pattern).length).toBeLessThan(4096);
      expect(emptyLists(rule.pattern)).toEqual([]);
    }
  });

  it('delivers alarm ALARM and OK, never INSUFFICIENT_DATA', () => {
    const alarmRules = rules.filter((r) => r.name.endsWith('-alarm'));
    expect(alarmRules.map((r) => r.runbook).sort()).toEqual(['database-failover', 'investigate-5xx', 'scale-ecs']);
    for (const rule of alarmRules) expect(rule.pattern.detail).toMatchObject({ state: { value: ['ALARM', 'OK'] } });
  });

  it('is a pure function of the configuration', () => {
    expect(eventRules(config)).toEqual(rules);
    const twoAccounts: AutopilotConfig = { ...config, accountIds: ['123456789012', '210987654321'] };
    const deployment = eventRules(twoAccounts).find((r) => r.name === 'rollback-ecs-deployment-failed');
    expect(deployment?.pattern.resources).toEqual([
      'arn:aws:ecs:us-east-1:123456789012:service/regami-cluster/regami-service',
      'arn:aws:ecs:us-east-1:210987654321:service/regami-cluster/regami-service',
    ]);
  });
});

describe('eventRules is generated from the registry', () => {
  it("is every registry entry's triggers, flattened in RULE_ORDER", () => {
    expect(eventRules(config)).toEqual(RULE_ORDER.flatMap((id) => RUNBOOK_REGISTRY[id].triggers(config)));
  });

  it('orders every registry entry exactly once', () => {
    expect([...RULE_ORDER].sort()).toEqual(Object.keys(RUNBOOK_REGISTRY).sort());
    expect(new Set(RULE_ORDER).size).toBe(RULE_ORDER.length);
  });

  it('keeps the deployed order (the packaged template lists its rules, and routeEvent its runbooks, in it)', () => {
    expect(eventRules(config).map((r) => r.name)).toEqual([
      'investigate-5xx-alarm',
      'scale-ecs-cpu-alarm',
      'scale-ecs-requested',
      'failover-db-down-alarm',
      'failover-rds-primary-failing',
      'rollback-ecs-deployment-failed',
      'rollback-codedeploy-failure',
      'rollback-requested',
      'restore-db-requested',
      'restore-s3-requested',
      'restore-rds-backup-at-risk',
      'restore-rds-snapshot-at-risk',
    ]);
  });

  it('refuses a trigger that names another runbook than the entry declaring it', () => {
    const [rule] = RUNBOOK_REGISTRY['scale-ecs'].triggers(config);
    const spy = jest.spyOn(RUNBOOK_REGISTRY['scale-ecs'], 'triggers').mockReturnValue([{ ...rule!, runbook: 'rollback-deployment' }]);
    try {
      expect(() => eventRules(config)).toThrow("scale-ecs's triggers declare rule scale-ecs-cpu-alarm for rollback-deployment");
    } finally {
      spy.mockRestore();
    }
  });
});

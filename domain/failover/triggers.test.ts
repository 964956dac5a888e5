import { defaultConfig } from '../config';
import { PRIMARY_FAILING_EVENT_IDS } from './event-rules';
import { FAILOVER_TRIGGER_EVENT_IDS, alarmTriggersFailover, rdsEventTriggersFailover } from './triggers';

const PRIMARY = defaultConfig.database.primaryInstanceId;

describe('failover triggers', () => {
  it.each(['RDS-EVENT-0004', 'RDS-EVENT-0007', 'RDS-EVENT-0031', 'RDS-EVENT-0221', 'RDS-EVENT-0419'])('%s on the primary starts the confirmation', (id) => {
    expect(rdsEventTriggersFailover(defaultConfig, PRIMARY, id)).toBe(true);
  });

  it.each([
    ['Multi-AZ failover in progress: RDS heals itself', 'RDS-EVENT-0013'],
    ['Multi-AZ failover completed', 'RDS-EVENT-0049'],
    ['stopped by an operator', 'RDS-EVENT-0087'],
    ['backup finished', 'RDS-EVENT-0002'],
    ['replication stopped (about the replica)', 'RDS-EVENT-0045'],
  ])('is not triggered by %s (%s)', (_why, id) => {
    expect(rdsEventTriggersFailover(defaultConfig, PRIMARY, id)).toBe(false);
  });

  it('ignores events about other instances, the replica included', () => {
    expect(rdsEventTriggersFailover(defaultConfig, defaultConfig.database.replicaInstanceId, 'RDS-EVENT-0004')).toBe(false);
  });

  it('starts on a configured database-down alarm entering ALARM, by its exact name only', () => {
    expect(alarmTriggersFailover(defaultConfig, 'regami-db-down', 'ALARM')).toBe(true);
    expect(alarmTriggersFailover(defaultConfig, 'regami-db-connections-zero', 'ALARM')).toBe(true);
    expect(alarmTriggersFailover(defaultConfig, 'regami-db-connections-zero-replica', 'ALARM')).toBe(false);
    expect(alarmTriggersFailover(defaultConfig, 'regami-db-down', 'OK')).toBe(false);
    expect(alarmTriggersFailover(defaultConfig, 'regami-alb-5xx-high', 'ALARM')).toBe(false);
  });

  it('every trigger ID is delivered by the deployed rules (routing may deliver more; the intake ignores those)', () => {
    const routed = Object.keys(PRIMARY_FAILING_EVENT_IDS);
    expect(FAILOVER_TRIGGER_EVENT_IDS.filter((id) => !routed.includes(id))).toEqual([]);
  });
});

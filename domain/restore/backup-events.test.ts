import { defaultConfig } from '../config';
import { backupProblem } from './backup-events';

describe('RDS backup problems worth a P3', () => {
  it('pages for automated backups disabled on our primary or replica', () => {
    expect(backupProblem(defaultConfig, { kind: 'rds-instance', eventId: 'RDS-EVENT-0028', dbInstanceId: 'regami-db-primary' })).toContain('automated backups disabled');
    expect(backupProblem(defaultConfig, { kind: 'rds-instance', eventId: 'RDS-EVENT-0028', dbInstanceId: 'regami-db-replica' })).toContain('automated backups disabled');
  });
  it('ignores the same event about another database, and unrelated event IDs', () => {
    expect(backupProblem(defaultConfig, { kind: 'rds-instance', eventId: 'RDS-EVENT-0028', dbInstanceId: 'billing-db' })).toBeUndefined();
    expect(backupProblem(defaultConfig, { kind: 'rds-instance', eventId: 'RDS-EVENT-0002', dbInstanceId: 'regami-db-primary' })).toBeUndefined();
  });
  it('pages for a failed snapshot export or a canceled cross-region copy', () => {
    expect(backupProblem(defaultConfig, { kind: 'rds-snapshot', eventId: 'RDS-EVENT-0159', snapshotId: 'rds:regami-db-primary-2026-01-15-03-05' })).toContain('export task failed');
    expect(backupProblem(defaultConfig, { kind: 'rds-snapshot', eventId: 'RDS-EVENT-0061', snapshotId: 'x' })).toContain('copy canceled');
    expect(backupProblem(defaultConfig, { kind: 'rds-snapshot', eventId: 'RDS-EVENT-0042', snapshotId: 'x' })).toBeUndefined();
  });
});

/**
 * The CLI side of `autopilot request` / `approve` / `reject`: what command a command line
 * means, and that its proof is one the operator-request function accepts for that command
 * only (signed with the caller's credentials; the function asks STS who they are).
 */
import { buildOperatorCommand, UsageError } from './operator';
import { sha256Hex, signCallerProof } from '../adapters/aws/caller-identity';
import { checkProof } from '../domain/caller-proof';
import { readCommand } from '../pipeline/operator-request';

describe('autopilot request / approve / reject', () => {
  it('builds a restore request without any identity in it', () => {
    const { command } = buildOperatorCommand('request', ['restore', '--db', 'regami-db-primary', '--time', '2026-01-15T02:30:00Z', '--reason', 'accidental deletion']);
    expect(command).toEqual({ action: 'request', detailType: 'Restore Requested', detail: { dbInstanceId: 'regami-db-primary', restoreTime: '2026-01-15T02:30:00Z', reason: 'accidental deletion' } });
    expect(readCommand(command)).toEqual(command);
  });

  it('makes an S3 restore a dry run unless --real, and says "whole bucket" only with --confirm-whole-bucket', () => {
    expect(buildOperatorCommand('request', ['s3-restore', '--bucket', 'regami-uploads', '--prefix', 'dogs/', '--time', '2026-01-15T02:00:00Z']).command).toMatchObject({ detail: { dryRun: true } });
    const whole = buildOperatorCommand('request', ['s3-restore', '--bucket', 'regami-uploads', '--prefix', '', '--time', '2026-01-15T02:00:00Z', '--real', '--confirm-whole-bucket']).command;
    expect(whole).toMatchObject({ detail: { prefix: '', dryRun: false, confirmWholeBucket: true } });
  });

  it('refuses ambiguous or incomplete command lines', () => {
    expect(() => buildOperatorCommand('request', ['restore', '--db', 'x', '--time', 't', '--snapshot', 's', '--reason', 'r'])).toThrow(UsageError);
    expect(() => buildOperatorCommand('request', ['restore', '--db', 'x', '--time', 't', '--reason', 'r', '--requested-by', 'bob'])).toThrow(/unknown option/);
    expect(() => buildOperatorCommand('reject', ['Y2ItMQ=='])).toThrow(/--note is required/);
    expect(() => buildOperatorCommand('approve', [])).toThrow(/exactly one callback id/);
  });

  it('signs a proof the function accepts for this command, and for no other', async () => {
    const { command } = buildOperatorCommand('approve', ['--incident', 'restore-from-backup-x', 'Y2ItMQ==']);
    const at = Date.parse('2026-01-15T03:00:00Z');
    const digest = sha256Hex(JSON.stringify(command));
    const headers = await signCallerProof({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, 'us-east-1', digest, new Date(at));
    expect(checkProof({ headers }, digest, 'us-east-1', at + 1000)).toMatchObject({ ok: true });
    expect(checkProof({ headers }, sha256Hex(JSON.stringify({ ...command, note: 'x' })), 'us-east-1', at + 1000)).toMatchObject({ ok: false });
    expect(checkProof({ headers }, digest, 'us-west-2', at + 1000)).toMatchObject({ ok: false });
  });
});

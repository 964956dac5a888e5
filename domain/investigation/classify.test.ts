/**
 * Classification of recorded signal sets (fixtures/*.json): every cause, its evidence, and
 * the precedence when several causes match.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../config';
import { CAUSE_PRECEDENCE, classify, DEFAULT_THRESHOLDS, type Classification } from './classify';
import { NO_SCALE_GUARDRAIL, respond } from './respond';
import type { FiveXxSignals } from './signals';

function fixture(name: string): FiveXxSignals {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as FiveXxSignals;
}

function signalsOf(c: Classification): string[] {
  return c.evidence.map((e) => e.signal);
}

describe('classify: one cause per recorded incident, with its evidence', () => {
  it('connection pool exhausted: pool log lines and connections at the limit', () => {
    const c = classify(fixture('pool-exhaustion'));
    expect(c.cause).toBe('connection-pool-exhausted');
    expect(c.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ signal: 'log lines sqlalchemy.exc.TimeoutError / QueuePool limit', value: 212, threshold: '>= 5' }),
        expect.objectContaining({ signal: 'RDS DatabaseConnections (max, recent)', value: 166 }),
      ]),
    );
  });

  it('memory leak: OOM-killed tasks and memory rising to the top', () => {
    const c = classify(fixture('memory-leak'));
    expect(c.cause).toBe('memory-leak');
    expect(c.evidence[0]).toMatchObject({ signal: 'stopped tasks killed for memory (OutOfMemoryError)', value: 2 });
    expect(c.evidence[0]?.note).toMatch(/OutOfMemoryError: Container killed due to memory usage/);
    expect(c.evidence[1]).toMatchObject({ signal: 'ECS MemoryUtilization (avg, recent)' });
    expect(Number(c.evidence[1]?.value)).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.memoryHighPercent);
  });

  it('bad deployment: errors began minutes after a deployment and were quiet before it', () => {
    const c = classify(fixture('after-deploy'));
    expect(c.cause).toBe('bad-deployment');
    expect(c.evidence[0]?.signal).toBe('ECS deployment ecs-svc/2222222222222222222');
    expect(c.evidence[0]?.value).toMatch(/regami-api:42 started/);
    expect(c.evidence[0]?.note).toBe('5XX began 3 min after the deployment started');
  });

  it('CPU saturation: average CPU over the threshold, with the latency as context', () => {
    const c = classify(fixture('cpu-saturation'));
    expect(c.cause).toBe('cpu-saturation');
    expect(c.evidence[0]).toMatchObject({ signal: 'ECS CPUUtilization (avg, recent)', value: 96, threshold: '>= 85%' });
    expect(c.evidence[1]).toMatchObject({ signal: 'TargetResponseTime (avg, recent)', value: 4.2 });
  });

  it('dependency down: RDS not available', () => {
    const c = classify(fixture('rds-down'));
    expect(c.cause).toBe('dependency-down');
    expect(c.evidence[0]).toMatchObject({ signal: 'RDS regami-db-primary status', value: 'failed', threshold: 'available' });
  });

  it('dependency down: Redis not serving', () => {
    const c = classify(fixture('redis-down'));
    expect(c.cause).toBe('dependency-down');
    expect(signalsOf(c)).toEqual(['ElastiCache regami-redis status']);
  });

  it('dependency down: S3 bucket unreachable', () => {
    const c = classify(fixture('s3-down'));
    expect(c.cause).toBe('dependency-down');
    expect(c.evidence[0]).toMatchObject({ signal: 'S3 HeadBucket regami-uploads', value: 'ServiceUnavailable (503)' });
  });

  it('unknown: nothing matched; the evidence is what was checked', () => {
    const c = classify(fixture('unknown'));
    expect(c.cause).toBe('unknown');
    expect(signalsOf(c)).toEqual(expect.arrayContaining(['ECS CPUUtilization (avg, recent)', 'top error line', 'log lines Traceback']));
    expect(c.evidence.find((e) => e.signal === 'top error line')?.note).toMatch(/TypeError/);
  });
});

describe('precedence', () => {
  it('is documented and total', () => {
    expect(CAUSE_PRECEDENCE).toEqual(['dependency-down', 'bad-deployment', 'connection-pool-exhausted', 'memory-leak', 'cpu-saturation', 'unknown']);
  });

  it('a dependency outage beats the pool symptoms it causes', () => {
    const c = classify(fixture('rds-down'));
    expect(c.cause).toBe('dependency-down');
    expect(c.alsoMatched.map((f) => f.cause)).toContain('connection-pool-exhausted');
  });

  it('a deployment right before the errors beats the CPU it burns', () => {
    const c = classify(fixture('after-deploy-with-cpu'));
    expect(c.cause).toBe('bad-deployment');
    expect(c.alsoMatched.map((f) => f.cause)).toEqual(['cpu-saturation']);
  });

  it('errors that began before the deployment are not blamed on it', () => {
    const c = classify(fixture('errors-before-deploy'));
    expect(c.cause).toBe('cpu-saturation');
  });

  it('pool exhaustion beats CPU saturation, so the autopilot never scales on it', () => {
    const s = fixture('pool-exhaustion');
    s.cpu = s.cpu.map((p) => ({ ...p, value: 97 }));
    const c = classify(s);
    expect(c.cause).toBe('connection-pool-exhausted');
    expect(c.alsoMatched.map((f) => f.cause)).toEqual(['cpu-saturation']);
  });

  it('a memory leak beats CPU saturation', () => {
    const s = fixture('memory-leak');
    s.cpu = s.cpu.map((p) => ({ ...p, value: 92 }));
    expect(classify(s).cause).toBe('memory-leak');
  });

  it('a surge two minutes old is judged on its own minutes, not averaged with the calm before it', () => {
    const s = fixture('unknown');
    const at = s.at;
    s.cpu = s.cpu.map((p) => ({ ...p, value: p.at >= at - 2 * 60000 ? 97 : 35 }));
    s.fiveXx = s.fiveXx.map((p) => ({ ...p, value: p.at >= at - 2 * 60000 ? 70 : 0 }));
    const c = classify(s);
    expect(c.cause).toBe('cpu-saturation');
    expect(c.evidence[0]).toMatchObject({ value: 97, note: 'average over the last 2 min, since the errors began' });
  });

  it('an unreadable signal is reported, not treated as healthy or down', () => {
    const s = fixture('unknown');
    s.unreadable = [{ signal: 'ElastiCache regami-redis', error: 'ThrottlingException' }];
    s.dependencies.cache = [];
    const c = classify(s);
    expect(c.cause).toBe('unknown');
    expect(c.unreadable).toEqual(['ElastiCache regami-redis: ThrottlingException']);
  });
});

describe('respond: act on the cause', () => {
  const now = Date.parse('2026-01-15T03:00:00Z');
  const run = (name: string) => {
    const signals = fixture(name);
    return respond({ classification: classify(signals), signals, config: defaultConfig, incidentKey: 'investigate-5xx-regami-alb-5xx-high', now });
  };

  it('CPU saturation hands a Scale Requested event to scale-ecs with the evidence', () => {
    const r = run('cpu-saturation');
    expect(r.kind).toBe('hand-off-scale');
    if (r.kind !== 'hand-off-scale') return;
    expect(r.detail).toMatchObject({ cluster: 'regami-cluster', service: 'regami-service', incidentKey: 'investigate-5xx-regami-alb-5xx-high' });
    expect(r.detail.evidence[0]).toMatch(/ECS CPUUtilization \(avg, recent\) = 96/);
  });

  it('a bad deployment hands a Rollback Requested event over, naming the previous revision', () => {
    const r = run('after-deploy');
    expect(r.kind).toBe('hand-off-rollback');
    if (r.kind !== 'hand-off-rollback') return;
    expect(r.detail.requestedBy).toBe('investigate-5xx');
    expect(r.page.nextStep).toMatch(/--task-definition regami-api:41/);
  });

  it('pool exhaustion pages P2 and records the refusal to scale', () => {
    const r = run('pool-exhaustion');
    expect(r.kind).toBe('page');
    expect(r.page.severity).toBe('P2');
    expect(r.page.refused).toEqual([expect.objectContaining({ action: 'scale out', guardrail: NO_SCALE_GUARDRAIL })]);
    expect(r.page.nextStep).toMatch(/pool_size/);
    expect(r.page.diagnosis.join('\n')).toMatch(/cause: connection-pool-exhausted/);
  });

  it('a dependency outage pages P2 with the dependency check to run', () => {
    const r = run('redis-down');
    expect(r.kind).toBe('page');
    expect(r.page.severity).toBe('P2');
    expect(r.page.nextStep).toMatch(/describe-cache-clusters --cache-cluster-id regami-redis/);
  });

  it('a memory leak restarts the tasks and pages P3 with the runbook next step (more memory)', () => {
    const r = run('memory-leak');
    expect(r.kind).toBe('restart');
    expect(r.page.severity).toBe('P3');
    expect(r.page.nextStep).toMatch(/from 512 to 1024 MB/);
    expect(r.page.nextStep).toMatch(/--force-new-deployment/);
  });

  it('unknown pages P2', () => {
    const r = run('unknown');
    expect(r).toMatchObject({ kind: 'page', page: { severity: 'P2' } });
  });
});

/**
 * Issue 14 item 8: the circuit breaker counts mutations (one S3 page of 1,000 copies counts
 * 1,000), atomically across concurrent executions (a conditional counter in the state table),
 * records an action before its call so nothing is lost, and re-reads the kill switch and
 * dry-run under the lock just before the call.
 */
import { Actuator, type ActuatorRequest } from './actuator';
import { DynamoGuardrailStore } from '../dynamo/guardrail-store';
import { defaultConfig, type AutopilotConfig } from '../../domain/config';
import type { ActionRecord, Controls } from '../../domain/guardrails';
import type { Clock, GuardrailStore, Recorder } from '../../domain/ports';
import { freshStateTable } from '../../test/support/state-table';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);

const clock: Clock = { now: () => T0 };
const silent: Recorder = { record: () => undefined };

function withBreaker(maxActions: number, maxMutations: number): AutopilotConfig {
  return { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, circuitBreaker: { maxActions, windowSeconds: 3600, maxMutations } } };
}

function request(scope: string, mutate: () => Promise<string>, mutations?: number, incidentKey = `restore-from-backup-${scope}`): ActuatorRequest<string> {
  return { proposed: { action: 's3-restore-objects', scope, summary: `copy objects in ${scope}`, incidentKey, ...(mutations !== undefined ? { mutations } : {}) }, policy: {}, recorder: silent, mutate };
}

/** Every call of `method` waits until `parties` callers are inside it: the executions read the same state. */
function withBarrier(store: GuardrailStore, parties: number): GuardrailStore {
  let waiting: (() => void)[] = [];
  const barrier = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === parties) {
        const all = waiting;
        waiting = [];
        all.forEach((r) => r());
      }
    });
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'recentActions' && typeof value === 'function') {
        return async (scope: string, since: number) => {
          const out = await (value as GuardrailStore['recentActions']).call(target, scope, since);
          if (scope === 'global') await barrier();
          return out;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('circuit breaker: mutations, atomic across executions, recorded before the call', () => {
  it('counts mutations: one S3 page of 1,000 copies counts 1,000, and the next page that would pass maxMutations is refused', async () => {
    const { client, tableName } = await freshStateTable('breaker');
    const store = new DynamoGuardrailStore(client, tableName);
    const actuator = new Actuator(store, clock, withBreaker(20, 1500));
    const mutate = jest.fn(async () => 'copied');

    expect((await actuator.execute(request('s3:a', mutate, 1000))).status).toBe('executed');
    const global = await store.recentActions('global', 0);
    expect(global).toEqual([expect.objectContaining({ scope: 's3:a', mutations: 1000 })]);

    const second = await actuator.execute(request('s3:b', mutate, 1000));
    expect(second.status).toBe('refused');
    expect(second.status === 'refused' && second.refusal.guardrail).toBe('CircuitBreaker');
    expect(second.status === 'refused' && second.refusal.reason).toMatch(/1000 mutating calls .* limit of 1500/);
    expect(mutate).toHaveBeenCalledTimes(1);
    // A single action never passes the limit on its own either.
    expect((await actuator.execute(request('s3:c', mutate, 1501))).status).toBe('refused');
    expect(mutate).toHaveBeenCalledTimes(1);
  });

  it('two concurrent executions that both read room for one more: exactly one acts (conditional counter)', async () => {
    const { client, tableName } = await freshStateTable('breaker-race');
    const config = withBreaker(1, 2500);
    // Two executions, two processes' stores, two different resources (two different locks).
    const storeA = new DynamoGuardrailStore(client, tableName);
    const storeB = new DynamoGuardrailStore(client, tableName);
    const sharedBarrier = withBarrier(storeA, 2);
    const viaB = new Proxy(storeB, {
      get(target, prop, receiver) {
        if (prop === 'recentActions') return sharedBarrier.recentActions.bind(sharedBarrier);
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const mutateA = jest.fn(async () => 'a');
    const mutateB = jest.fn(async () => 'b');
    const [a, b] = await Promise.all([
      new Actuator(sharedBarrier, clock, config).execute(request('service:a', mutateA, undefined, 'scale-ecs-a')),
      new Actuator(viaB, clock, config).execute(request('service:b', mutateB, undefined, 'rollback-deployment-b')),
    ]);

    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['executed', 'refused']);
    const refused = [a, b].find((r) => r.status === 'refused');
    expect(refused?.status === 'refused' && refused.refusal.guardrail).toBe('CircuitBreaker');
    expect(mutateA.mock.calls.length + mutateB.mock.calls.length).toBe(1);
  });

  it('records the action before the call: when the record cannot be written, nothing is mutated', async () => {
    const { client, tableName } = await freshStateTable('breaker-record');
    const store = new DynamoGuardrailStore(client, tableName);
    jest.spyOn(store, 'recordAction').mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException'));
    const mutate = jest.fn(async () => 'done');
    await expect(new Actuator(store, clock, defaultConfig).execute(request('service:a', mutate))).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(mutate).not.toHaveBeenCalled();
  });

  it('dry-run switched on after the first check is honoured by the re-check under the lock', async () => {
    const { client, tableName } = await freshStateTable('breaker-dryrun');
    const store = new DynamoGuardrailStore(client, tableName);
    const read = store.readControls.bind(store);
    let reads = 0;
    jest.spyOn(store, 'readControls').mockImplementation(async (): Promise<Controls> => {
      const controls = await read();
      if (++reads === 1) await store.setControls({ dryRun: true, setBy: 'oncall', reason: 'switching to dry-run' }, T0);
      return controls;
    });
    const mutate = jest.fn(async () => 'done');
    const result = await new Actuator(store, clock, defaultConfig).execute(request('service:a', mutate));
    expect(result.status).toBe('dry-run');
    expect(mutate).not.toHaveBeenCalled();
    expect(await store.recentActions('service:a', 0)).toEqual([]);
  });

  it('the kill switch turned on while the action was counted and recorded stops the call (re-read just before it)', async () => {
    const { client, tableName } = await freshStateTable('breaker-kill');
    const store = new DynamoGuardrailStore(client, tableName);
    const record = store.recordAction.bind(store);
    jest.spyOn(store, 'recordAction').mockImplementation(async (action: ActionRecord) => {
      await record(action);
      await store.setControls({ killSwitch: true, setBy: 'oncall', reason: 'stop everything' }, T0);
    });
    const mutate = jest.fn(async () => 'done');
    const result = await new Actuator(store, clock, defaultConfig).execute(request('service:a', mutate));
    expect(result.status).toBe('refused');
    expect(result.status === 'refused' && result.refusal.guardrail).toBe('KillSwitch');
    expect(mutate).not.toHaveBeenCalled();
    expect(await store.recentActions('service:a', 0)).toEqual([expect.objectContaining({ outcome: 'not-run' })]);
  });
});

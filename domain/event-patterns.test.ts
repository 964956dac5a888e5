import { matchesPattern, rulesMatching, runbooksOf, type EventBusId, type RuleSpec } from './event-patterns';

describe('matchesPattern (EventBridge content filtering)', () => {
  const event = {
    source: 'aws.test',
    account: '123456789012',
    resources: ['arn:a', 'arn:b'],
    detail: { state: 'running', count: 7, name: 'regami-api', nested: { flag: true }, empty: '', nothing: null, tags: ['x', 'y'] },
  };

  it('matches exact values, any of a list, with AND across fields', () => {
    expect(matchesPattern({ source: ['aws.test'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.other', 'aws.test'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.test'], account: ['000000000000'] }, event)).toBe(false);
    expect(matchesPattern({ source: ['AWS.TEST'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { count: ['7'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { count: [7] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { empty: [''] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { nothing: [null] } }, event)).toBe(true);
  });

  it('matches nested objects, and a missing parent fails a value match', () => {
    expect(matchesPattern({ detail: { nested: { flag: [true] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { nested: { flag: [false] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: { flag: [true] } } }, event)).toBe(false);
  });

  it('matches an event array when any element matches', () => {
    expect(matchesPattern({ resources: ['arn:b'] }, event)).toBe(true);
    expect(matchesPattern({ resources: ['arn:c'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { tags: [{ prefix: 'y' }] } }, event)).toBe(true);
  });

  it('prefix and suffix match strings only', () => {
    expect(matchesPattern({ detail: { name: [{ prefix: 'regami-' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { name: [{ prefix: 'api' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { name: [{ suffix: '-api' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { count: [{ prefix: '7' }] } }, event)).toBe(false);
  });

  it('anything-but excludes a value, a list or a prefix, and needs the field present', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'running' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { count: [{ 'anything-but': [1, 2, 3] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { absent: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('exists works on leaves: present values, absent fields, intermediate objects count as absent', () => {
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { absent: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { absent: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { nested: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { nested: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ nowhere: { deeper: [{ exists: false }] } }, event)).toBe(true);
  });

  it('numeric compares numbers against every bound', () => {
    expect(matchesPattern({ detail: { count: [{ numeric: ['>', 0, '<=', 7] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { count: [{ numeric: ['>', 7] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { count: [{ numeric: ['=', 7] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { name: [{ numeric: ['>', 0] }] } }, event)).toBe(false);
  });

  it('equals-ignore-case ignores case', () => {
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'AWS.Test' }] }, event)).toBe(true);
  });

  it('an empty pattern matches any object, and nothing matches a non-object', () => {
    expect(matchesPattern({}, event)).toBe(true);
    expect(matchesPattern({}, 'event')).toBe(false);
  });
});

describe('rulesMatching and runbooksOf (over the rules they are given)', () => {
  const rule = (name: string, runbook: RuleSpec['runbook'], bus: EventBusId, source: string): RuleSpec => ({ runbook, bus, name, description: name, pattern: { source: [source] } });
  const rules = [
    rule('a', 'scale-ecs', 'default', 'aws.x'),
    rule('b', 'rollback-deployment', 'private', 'aws.x'),
    rule('c', 'investigate-5xx', 'default', 'aws.x'),
    rule('d', 'scale-ecs', 'default', 'aws.x'),
    rule('e', 'restore-from-backup', 'default', 'aws.y'),
  ];

  it('keeps the matching rules on the bus asked for (default unless told), in the order given', () => {
    expect(rulesMatching(rules, { source: 'aws.x' }).map((r) => r.name)).toEqual(['a', 'c', 'd']);
    expect(rulesMatching(rules, { source: 'aws.x' }, 'private').map((r) => r.name)).toEqual(['b']);
    expect(rulesMatching(rules, { source: 'aws.z' })).toEqual([]);
    expect(rulesMatching([], { source: 'aws.x' })).toEqual([]);
  });

  it('names each runbook once, in rule order', () => {
    expect(runbooksOf(rulesMatching(rules, { source: 'aws.x' }))).toEqual(['scale-ecs', 'investigate-5xx']);
    expect(runbooksOf([])).toEqual([]);
  });
});

import { alikeKey, collapseRuns, describeRun } from './collapse';

const keyed = (items: string[]) => collapseRuns(items, alikeKey, (s) => s);

describe('collapsing runs of alike lines', () => {
  it('keeps lines that do not repeat at least 3 times, in order', () => {
    const runs = keyed(['a', 'b', 'b', 'c']);
    expect(runs.map((r) => [r.block, r.more])).toEqual([[['a'], 0], [['b'], 0], [['b'], 0], [['c'], 0]]);
  });

  it('collapses exact duplicates and says so', () => {
    const runs = keyed(['start', 'dup', 'dup', 'dup', 'dup', 'end']);
    expect(runs.map((r) => [r.block, r.more, r.exact])).toEqual([[['start'], 0, true], [['dup'], 3, true], [['end'], 0, true]]);
    expect(describeRun(runs[1]!, 'at T+00:00')).toBe('... 3 more exact duplicates of the line above (at T+00:00)');
  });

  it('collapses lines alike but for their numbers, and repeated blocks of several lines', () => {
    const storm = Array.from({ length: 50 }, (_, i) => [`[${i + 1}/50] alarm ALARM`, 'intake: ignored (duplicate)']).flat();
    const runs = keyed(['first', ...storm, 'after']);
    expect(runs).toHaveLength(3);
    expect(runs[1]).toMatchObject({ block: ['[1/50] alarm ALARM', 'intake: ignored (duplicate)'], more: 49, exact: false });
    expect(runs[1]?.repeats).toHaveLength(98);
    expect(describeRun(runs[1]!)).toBe('... 49 more alike of the 2 lines above');
  });

  it('drops nothing: the blocks and repeats add up to the input', () => {
    const items = ['x', 'y1', 'y2', 'y3', 'z', 'z', 'z', 'w', 'v1', 'u', 'v2', 'u', 'v3', 'u'];
    const runs = keyed(items);
    expect(runs.flatMap((r) => [...r.block, ...r.repeats])).toEqual(items);
    expect(runs.find((r) => r.block.length === 2)).toMatchObject({ block: ['v1', 'u'], more: 2 });
  });
});

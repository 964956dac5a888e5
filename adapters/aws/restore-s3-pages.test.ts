/**
 * S3 restore across listing pages: ListObjectVersions pages by entry (the simulator: 3 per page),
 * so one key's versions can span pages, and versions and delete markers come back as two lists
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html). Every key must be
 * planned once, from all its versions.
 */
import { defaultConfig } from '../../domain/config';
import { planKeyRestore, planS3Restore, splitCompleteKeys, type ObjectVersion } from '../../domain/restore/s3';
import { simHarness } from '../../test/simulated-region/test-support';
import { AwsRestoreOperations } from './restore';

const T = -3000;
const objects = {
  // Page 1 holds 1.jpg's delete marker and version and 2.jpg's newest version: as returned (versions, then
  // delete markers) its last entry is 1.jpg's marker, though the page ends inside 2.jpg.
  'dogs/1.jpg': [{ versionId: 'a1', lastModified: -90000 }, { versionId: 'adm', lastModified: -600, deleteMarker: true }],
  'dogs/2.jpg': [{ versionId: 'b1', lastModified: -90000 }, { versionId: 'b2', lastModified: -4000 }, { versionId: 'b3', lastModified: -300 }],
  'dogs/3.jpg': [{ versionId: 'c1', lastModified: -90000 }],
};

it('plans every key once, from all its versions, whatever the page boundaries and the order of delete markers', async () => {
  const h = simHarness({ regions: { 'us-east-1': { s3: { buckets: { 'regami-uploads': { versioning: 'Enabled', objects } } } } } });
  const ops = new AwsRestoreOperations(h.aws, defaultConfig, async () => undefined);
  const restoreTime = h.world.toMs(T);
  let cursor: { keyMarker?: string; versionIdMarker?: string } | undefined;
  let carry: ObjectVersion[] = [];
  const all: ObjectVersion[] = [];
  const planned = [];
  let pages = 0;
  do {
    const listed = await ops.listVersions('regami-uploads', 'dogs/', cursor);
    pages++;
    all.push(...listed.versions);
    const { complete, carry: next } = splitCompleteKeys([...carry, ...listed.versions], listed.next !== undefined, listed.next?.keyMarker);
    planned.push(...planS3Restore(complete, restoreTime));
    carry = next;
    cursor = listed.next;
  } while (cursor);
  expect(pages).toBeGreaterThan(1);
  expect(planned.map((d) => d.key)).toEqual(['dogs/1.jpg', 'dogs/2.jpg', 'dogs/3.jpg']);
  // Each decision equals the one made from the key's whole history.
  for (const d of planned) expect(d).toEqual(planKeyRestore(d.key, all, restoreTime));
  expect(planned.find((d) => d.key === 'dogs/1.jpg')).toMatchObject({ action: 'copy', fromVersionId: 'a1' });
  expect(planned.find((d) => d.key === 'dogs/2.jpg')).toMatchObject({ action: 'copy', fromVersionId: 'b2' });
});

it('without a NextKeyMarker, the page\'s last key is its greatest key, not the last entry (delete markers come after versions)', () => {
  const v = (key: string, versionId: string, deleteMarker = false): ObjectVersion => ({ key, versionId, lastModified: 0, isLatest: false, deleteMarker });
  // As the adapter returns a page: Versions (a, b) then DeleteMarkers (a).
  const { complete, carry } = splitCompleteKeys([v('a', '1'), v('b', '2'), v('a', 'dm', true)], true);
  expect(complete.map((x) => x.versionId)).toEqual(['1', 'dm']);
  expect(carry.map((x) => x.versionId)).toEqual(['2']);
});

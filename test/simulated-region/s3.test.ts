import { CopyObjectCommand, GetBucketVersioningCommand, HeadBucketCommand, ListObjectVersionsCommand, type ObjectVersion } from '@aws-sdk/client-s3';
import { simHarness, type SimHarness } from './test-support';

const BUCKET = 'regami-uploads';

async function allVersions(h: SimHarness, prefix?: string): Promise<{ versions: ObjectVersion[]; pages: number }> {
  const versions: ObjectVersion[] = [];
  let pages = 0;
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (let guard = 0; guard < 20; guard++) {
    const page = await h.aws.in('us-east-1').s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: prefix, ...markers }));
    pages++;
    versions.push(...(page.Versions ?? []));
    if (!page.IsTruncated) return { versions, pages };
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
  throw new Error('ListObjectVersions never stopped paginating');
}

describe('simulated S3 through the real S3Client', () => {
  test('ListObjectVersions pages with KeyMarker/VersionIdMarker: keys ascending, newest version first', async () => {
    const h = simHarness({
      regions: {
        'us-east-1': {
          s3: {
            buckets: {
              [BUCKET]: {
                objects: {
                  'dogs/photos/123.jpg': [
                    { versionId: 'v1', lastModified: -3 * 86400 },
                    { versionId: 'v2', lastModified: -2 * 86400 },
                    { versionId: 'v3', lastModified: -600, size: 0 },
                  ],
                  'dogs/photos/124.jpg': [
                    { versionId: 'w1', lastModified: -86400 },
                    { versionId: 'w2', lastModified: -300, deleteMarker: true },
                  ],
                },
              },
            },
          },
        },
      },
    });
    const { versions, pages } = await allVersions(h, 'dogs/');
    expect(pages).toBe(2);
    expect(versions.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['dogs/photos/123.jpg', 'v3', true],
      ['dogs/photos/123.jpg', 'v2', false],
      ['dogs/photos/123.jpg', 'v1', false],
      ['dogs/photos/124.jpg', 'w1', false],
    ]);
    const second = await h.aws.in('us-east-1').s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'dogs/', KeyMarker: 'dogs/photos/123.jpg', VersionIdMarker: 'v1' }));
    expect(second.DeleteMarkers).toEqual([expect.objectContaining({ Key: 'dogs/photos/124.jpg', VersionId: 'w2', IsLatest: true })]);
  });

  test('CopyObject of an older version makes it the latest version again', async () => {
    const h = simHarness();
    const s3 = h.aws.in('us-east-1').s3;
    const key = 'uploads/2026/01/avatar-1.png';
    const copied = await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${encodeURIComponent(key)}?versionId=v1a.avatar1` }));
    expect(copied.CopySourceVersionId).toBe('v1a.avatar1');
    expect(copied.VersionId).toBeDefined();
    expect(copied.CopyObjectResult?.LastModified?.getTime()).toBe(h.world.now());
    const { versions } = await allVersions(h, key);
    expect(versions.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
      [copied.VersionId, true, 20480],
      ['v1b.avatar1', false, 21004],
      ['v1a.avatar1', false, 20480],
    ]);
    await expect(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${key}?versionId=nope` }))).rejects.toMatchObject({ name: 'NoSuchVersion' });
  });

  test('HeadBucket and GetBucketVersioning answer for the bucket in its region', async () => {
    const h = simHarness();
    await expect(h.aws.in('us-east-1').s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).resolves.toMatchObject({ BucketRegion: 'us-east-1' });
    await expect(h.aws.in('us-east-1').s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).resolves.toMatchObject({ Status: 'Enabled' });
    await expect(h.aws.in('us-east-1').s3.send(new HeadBucketCommand({ Bucket: 'nope' }))).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });
});

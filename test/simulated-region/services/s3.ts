/**
 * S3: versioned buckets. ListObjectVersions pages with KeyMarker/VersionIdMarker (keys
 * ascending, each key's versions newest first, delete markers interleaved); CopyObject
 * with `CopySource=bucket/key?versionId=...` restores an older version as a new latest one.
 */
import * as sdk from '@aws-sdk/client-s3';
import type {
  CopyObjectCommandInput,
  CopyObjectCommandOutput,
  DeleteMarkerEntry,
  GetBucketVersioningCommandInput,
  GetBucketVersioningCommandOutput,
  HeadBucketCommandInput,
  HeadBucketCommandOutput,
  HeadObjectCommandInput,
  HeadObjectCommandOutput,
  ListObjectVersionsCommandInput,
  ListObjectVersionsCommandOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
  ObjectVersion,
} from '@aws-sdk/client-s3';
import { awsError } from '../errors';
import type { S3Spec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq, isArn } from '../iam-arns';
import type { AuthRequest } from '../iam';
import { obj, map, str, oneOf, time, stringMap, type Json, type Problems } from '../spec-checks';
import type { OpContext, IamCall, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

interface VersionState {
  versionId: string;
  lastModified: number;
  size: number;
  etag: string;
  deleteMarker: boolean;
  tags?: Record<string, string>;
}

interface BucketState {
  name: string;
  versioning?: 'Enabled' | 'Suspended';
  /** SSE-KMS default encryption key. */
  kmsKeyId?: string;
  /** key -> versions, oldest first. */
  objects: Map<string, VersionState[]>;
}

export interface S3State {
  buckets: Map<string, BucketState>;
}

declare module '../state' {
  interface RegionState {
    s3: S3State;
  }
}

const PAGE_KEYS = 3;
const OWNER = { DisplayName: 'regami-ops', ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a' };

function etagOf(world: SimWorld): string {
  return `"${world.ids.hex(32)}"`;
}

function initS3(world: SimWorld, spec: S3Spec | undefined): S3State {
  const state: S3State = { buckets: new Map() };
  for (const [name, b] of Object.entries(spec?.buckets ?? {})) {
    const objects = new Map<string, VersionState[]>();
    for (const [key, versions] of Object.entries(b.objects ?? {})) {
      objects.set(
        key,
        versions.map((v) => ({ versionId: v.versionId, lastModified: world.toMs(v.lastModified), size: v.size ?? 1024, etag: v.etag ?? etagOf(world), deleteMarker: v.deleteMarker ?? false, ...(v.tags ? { tags: { ...v.tags } } : {}) })),
      );
    }
    state.buckets.set(name, { name, versioning: b.versioning, objects, ...(b.kmsKeyId ? { kmsKeyId: b.kmsKeyId } : {}) });
  }
  return state;
}

function bucketOrFail(ctx: OpContext, name: string | undefined, head = false): BucketState {
  const b = name ? ctx.r.s3.buckets.get(name) : undefined;
  if (b) return b;
  for (const [region, r] of ctx.world.regions) {
    if (region !== ctx.region && name && r.s3.buckets.has(name)) {
      throw awsError(head ? 'MovedPermanently' : 'PermanentRedirect', `The bucket ${name} is in ${region}; it must be addressed using the ${region} endpoint.`, { status: 301 });
    }
  }
  // HEAD responses have no body: the SDK can only name the error from the status.
  throw awsError(head ? 'NotFound' : 'NoSuchBucket', head ? 'Not Found' : 'The specified bucket does not exist', { status: 404, sdk });
}

function newVersionId(ctx: OpContext): string {
  return ctx.world.ids.upper(32).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)] ?? 'x');
}

function headBucket(ctx: OpContext, input: HeadBucketCommandInput): Out<HeadBucketCommandOutput> {
  bucketOrFail(ctx, input.Bucket, true);
  return { BucketRegion: ctx.region, AccessPointAlias: false };
}

function getBucketVersioning(ctx: OpContext, input: GetBucketVersioningCommandInput): Out<GetBucketVersioningCommandOutput> {
  const b = bucketOrFail(ctx, input.Bucket);
  return b.versioning ? { Status: b.versioning, MFADelete: 'Disabled' } : {};
}

interface Entry {
  key: string;
  v: VersionState;
  isLatest: boolean;
}

function entriesOf(b: BucketState, prefix: string | undefined): Entry[] {
  const out: Entry[] = [];
  for (const key of [...b.objects.keys()].sort()) {
    if (prefix && !key.startsWith(prefix)) continue;
    const versions = b.objects.get(key) ?? [];
    versions
      .slice()
      .reverse()
      .forEach((v, i) => out.push({ key, v, isLatest: i === 0 }));
  }
  return out;
}

function listObjectVersions(ctx: OpContext, input: ListObjectVersionsCommandInput): Out<ListObjectVersionsCommandOutput> {
  const b = bucketOrFail(ctx, input.Bucket);
  if (input.VersionIdMarker && !input.KeyMarker) throw awsError('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { status: 400 });
  const all = entriesOf(b, input.Prefix);
  let start = 0;
  if (input.KeyMarker) {
    if (input.VersionIdMarker) {
      const i = all.findIndex((e) => e.key === input.KeyMarker && e.v.versionId === input.VersionIdMarker);
      if (i < 0) throw awsError('InvalidArgument', 'Invalid version id specified', { status: 400 });
      start = i + 1;
    } else {
      start = all.findIndex((e) => e.key > (input.KeyMarker ?? ''));
      if (start < 0) start = all.length;
    }
  }
  const maxKeys = input.MaxKeys ?? 1000;
  const size = Math.min(maxKeys, PAGE_KEYS);
  const page = all.slice(start, start + size);
  const truncated = start + size < all.length;
  const last = page[page.length - 1];
  const versions: ObjectVersion[] = [];
  const markers: DeleteMarkerEntry[] = [];
  for (const e of page) {
    if (e.v.deleteMarker) markers.push({ Owner: OWNER, Key: e.key, VersionId: e.v.versionId, IsLatest: e.isLatest, LastModified: new Date(e.v.lastModified) });
    else versions.push({ ETag: e.v.etag, Size: e.v.size, StorageClass: 'STANDARD', Key: e.key, VersionId: e.v.versionId, IsLatest: e.isLatest, LastModified: new Date(e.v.lastModified), Owner: OWNER });
  }
  const out: Out<ListObjectVersionsCommandOutput> = {
    IsTruncated: truncated,
    KeyMarker: input.KeyMarker ?? '',
    VersionIdMarker: input.VersionIdMarker ?? '',
    Name: b.name,
    Prefix: input.Prefix ?? '',
    MaxKeys: maxKeys,
    ...(versions.length ? { Versions: versions } : {}),
    ...(markers.length ? { DeleteMarkers: markers } : {}),
  };
  if (truncated && last) {
    out.NextKeyMarker = last.key;
    out.NextVersionIdMarker = last.v.versionId;
  }
  return out;
}

function listObjectsV2(ctx: OpContext, input: ListObjectsV2CommandInput): Out<ListObjectsV2CommandOutput> {
  const b = bucketOrFail(ctx, input.Bucket);
  const keys = [...b.objects.entries()]
    .filter(([key, vs]) => (!input.Prefix || key.startsWith(input.Prefix)) && vs.length > 0 && !vs[vs.length - 1]?.deleteMarker)
    .map(([key]) => key)
    .sort();
  const after = input.ContinuationToken ? Buffer.from(input.ContinuationToken, 'base64').toString('utf8') : input.StartAfter;
  const rest = after ? keys.filter((k) => k > after) : keys;
  const size = Math.min(input.MaxKeys ?? 1000, PAGE_KEYS);
  const page = rest.slice(0, size);
  const truncated = rest.length > size;
  return {
    IsTruncated: truncated,
    Name: b.name,
    Prefix: input.Prefix ?? '',
    MaxKeys: input.MaxKeys ?? 1000,
    KeyCount: page.length,
    ContinuationToken: input.ContinuationToken,
    NextContinuationToken: truncated ? Buffer.from(page[page.length - 1] ?? '').toString('base64') : undefined,
    Contents: page.map((key) => {
      const v = b.objects.get(key)?.at(-1);
      return { Key: key, LastModified: new Date(v?.lastModified ?? 0), ETag: v?.etag, Size: v?.size, StorageClass: 'STANDARD' };
    }),
  };
}

function findVersion(b: BucketState, key: string, versionId: string | undefined): VersionState | undefined {
  const versions = b.objects.get(key) ?? [];
  return versionId ? versions.find((v) => v.versionId === versionId) : versions[versions.length - 1];
}

function headObject(ctx: OpContext, input: HeadObjectCommandInput): Out<HeadObjectCommandOutput> {
  const b = bucketOrFail(ctx, input.Bucket);
  const v = findVersion(b, input.Key ?? '', input.VersionId);
  if (!v || v.deleteMarker) throw awsError('NotFound', 'Not Found', { status: 404 });
  return { LastModified: new Date(v.lastModified), ContentLength: v.size, ETag: v.etag, VersionId: v.versionId, ContentType: 'application/octet-stream' };
}

function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  const [path = '', query = ''] = raw.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  if (slash <= 0) throw awsError('InvalidArgument', `Invalid copy source: ${raw}`, { status: 400 });
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)), versionId };
}

function copyObject(ctx: OpContext, input: CopyObjectCommandInput): Out<CopyObjectCommandOutput> {
  const target = bucketOrFail(ctx, input.Bucket);
  if (!input.Key) throw awsError('InvalidArgument', 'Key is required', { status: 400 });
  if (!input.CopySource) throw awsError('InvalidArgument', 'CopySource is required', { status: 400 });
  const src = parseCopySource(input.CopySource);
  const source = bucketOrFail(ctx, src.bucket);
  const versions = source.objects.get(src.key);
  if (!versions?.length) throw awsError('NoSuchKey', 'The specified key does not exist.', { status: 404, sdk });
  const v = findVersion(source, src.key, src.versionId);
  if (!v) throw awsError(src.versionId ? 'NoSuchVersion' : 'NoSuchKey', src.versionId ? 'The specified version does not exist.' : 'The specified key does not exist.', { status: 404, sdk });
  if (v.deleteMarker) throw awsError('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.', { status: 400 });
  const copy: VersionState = { versionId: target.versioning === 'Enabled' ? newVersionId(ctx) : 'null', lastModified: ctx.now, size: v.size, etag: v.etag, deleteMarker: false };
  // TaggingDirective COPY (the default) carries the source version's tags.
  if (v.tags && (input.TaggingDirective ?? 'COPY') === 'COPY') copy.tags = { ...v.tags };
  const list = target.objects.get(input.Key) ?? [];
  if (copy.versionId === 'null') {
    const i = list.findIndex((x) => x.versionId === 'null');
    if (i >= 0) list.splice(i, 1);
  }
  list.push(copy);
  target.objects.set(input.Key, list);
  return {
    CopyObjectResult: { ETag: copy.etag, LastModified: new Date(copy.lastModified) },
    ...(copy.versionId !== 'null' ? { VersionId: copy.versionId } : {}),
    ...(src.versionId ? { CopySourceVersionId: src.versionId } : {}),
  };
}

// ------------------------------------------------------------ IAM

const bucketArn = (bucket: unknown): string => `arn:aws:s3:::${String(bucket)}`;
const objectArn = (bucket: unknown, key: unknown): string => `arn:aws:s3:::${String(bucket)}/${String(key)}`;
const kmsKeyArn = (c: IamCall, keyId: string): string => (isArn(keyId) ? keyId : arnIn('kms', c.region, c.account, `key/${keyId}`));

/**
 * CopyObject: read the source (s3:GetObjectVersion for a version), write the destination
 * (s3:PutObject); with the default TaggingDirective COPY, the source's tags are read
 * (s3:GetObjectVersionTagging / s3:GetObjectTagging) and written (s3:PutObjectTagging); an
 * SSE-KMS source needs kms:Decrypt and an SSE-KMS destination kms:GenerateDataKey, both
 * called by S3 on the caller's behalf (kms:ViaService, the bucket as encryption context).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (Permissions)
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys
 */
function copyObjectAuth(c: IamCall): AuthRequest[] {
  const raw = String(c.input.CopySource ?? '');
  const [path = '', query = ''] = raw.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  const srcBucket = decodeURIComponent(path.slice(0, Math.max(0, slash)));
  const srcKey = decodeURIComponent(path.slice(slash + 1));
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  const s3 = c.world.region(c.region).s3;
  const source = s3.buckets.get(srcBucket);
  const target = s3.buckets.get(String(c.input.Bucket));
  const sourceVersion = source?.objects.get(srcKey)?.find((v) => (versionId ? v.versionId === versionId : true));
  const tagged = Object.keys(sourceVersion?.tags ?? {}).length > 0 && (c.input.TaggingDirective ?? 'COPY') === 'COPY';
  const out: AuthRequest[] = [
    authReq(versionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(srcBucket, srcKey)),
    authReq('s3:PutObject', objectArn(c.input.Bucket, c.input.Key)),
  ];
  if (tagged) {
    out.push(authReq(versionId ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', objectArn(srcBucket, srcKey)));
    out.push(authReq('s3:PutObjectTagging', objectArn(c.input.Bucket, c.input.Key)));
  }
  const via = { 'kms:ViaService': `s3.${c.region}.amazonaws.com` };
  if (source?.kmsKeyId) out.push(authReq('kms:Decrypt', kmsKeyArn(c, source.kmsKeyId), { ...via, 'kms:EncryptionContext:aws:s3:arn': bucketArn(srcBucket) }));
  if (target?.kmsKeyId) out.push(authReq('kms:GenerateDataKey', kmsKeyArn(c, target.kmsKeyId), { ...via, 'kms:EncryptionContext:aws:s3:arn': bucketArn(c.input.Bucket) }));
  return out;
}

/** `regions.<r>.s3` of a WorldSpec. */
function validateS3Spec(p: Problems, path: string, spec: Json): void {
  const s3 = obj(p, path, spec, ['buckets']);
  map(p, `${path}.buckets`, s3?.buckets, (at, _k, x) => {
    const b = obj(p, at, x, ['versioning', 'objects', 'kmsKeyId']);
    if (!b) return;
    str(p, `${at}.kmsKeyId`, b.kmsKeyId);
    oneOf(p, `${at}.versioning`, b.versioning, ['Enabled', 'Suspended']);
    map(p, `${at}.objects`, b.objects, (oat, _key, vs) => {
      if (!Array.isArray(vs) || !vs.length) {
        p.push(`${oat}: expected a non-empty array of versions (oldest first)`);
        return;
      }
      vs.forEach((v, i) => {
        const vo = obj(p, `${oat}[${i}]`, v, ['versionId', 'lastModified', 'size', 'etag', 'deleteMarker', 'tags'], ['versionId', 'lastModified']);
        if (vo) time(p, `${oat}[${i}].lastModified`, vo.lastModified, false);
        if (vo) stringMap(p, `${oat}[${i}].tags`, vo.tags);
      });
    });
  });
}

export const service: ServiceSim = {
  name: 'S3',
  sdk,
  throttleError: 'SlowDown',
  ops: {
    HeadBucket: headBucket,
    GetBucketVersioning: getBucketVersioning,
    ListObjectVersions: listObjectVersions,
    ListObjectsV2: listObjectsV2,
    HeadObject: headObject,
    CopyObject: copyObject,
  },
  iam: {
    // HeadBucket is authorised as s3:ListBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
    HeadBucket: (c) => [authReq('s3:ListBucket', bucketArn(c.input.Bucket))],
    GetBucketVersioning: (c) => [authReq('s3:GetBucketVersioning', bucketArn(c.input.Bucket))],
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html: s3:ListBucketVersions.
    ListObjectVersions: (c) => [authReq('s3:ListBucketVersions', bucketArn(c.input.Bucket))],
    ListObjectsV2: (c) => [authReq('s3:ListBucket', bucketArn(c.input.Bucket))],
    HeadObject: (c) => [authReq(c.input.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(c.input.Bucket, c.input.Key))],
    CopyObject: copyObjectAuth,
  },
  region: { key: 's3', init: (world, _region, spec) => initS3(world, spec), validate: validateS3Spec },
};

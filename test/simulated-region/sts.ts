/**
 * The simulated region's STS, for the one call the autopilot forwards: GetCallerIdentity,
 * signed by the caller (domain/caller-proof.ts). It enforces what AWS enforces:
 * - the signature must be the SigV4 signature of that request under the secret key of the
 *   access key it names (an unknown key is InvalidClientTokenId, a wrong signature
 *   SignatureDoesNotMatch);
 * - a request signed more than 15 minutes from the server's clock is refused
 *   ("Signature expired"): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 * Principals are registered by the drill (each identity a scenario acts as); their secret
 * keys never leave this module except to sign on the caller's behalf.
 */
import { createHash } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';
import { amzDateMs, COMMAND_DIGEST_HEADER } from '../../domain/caller-proof';
import type { VerifiedPrincipal } from '../../domain/operators';
import { signCallerProof, type CallerIdentityVerifier } from '../../adapters/aws/caller-identity';

const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

export class SimSts implements CallerIdentityVerifier {
  private readonly byAccessKey = new Map<string, { arn: string; secret: string }>();

  constructor(private readonly now: () => number) {}

  /** Credentials of `arn` (deterministic per ARN, so a replayed drill signs the same way). */
  credentialsFor(arn: string): AwsCredentialIdentity {
    const digest = createHash('sha256').update(`sim-principal:${arn}`).digest('hex');
    const accessKeyId = `ASIASIM${digest.slice(0, 13).toUpperCase()}`;
    const secretAccessKey = createHash('sha256').update(`sim-secret:${arn}`).digest('base64').slice(0, 40);
    this.byAccessKey.set(accessKeyId, { arn, secret: secretAccessKey });
    return { accessKeyId, secretAccessKey };
  }

  /** What the caller's SDK would send: the signed headers for one command. */
  async sign(arn: string, region: string, commandDigest: string): Promise<Record<string, string>> {
    return signCallerProof(this.credentialsFor(arn), region, commandDigest, new Date(this.now()));
  }

  async verify(headers: Record<string, string>, region: string): Promise<VerifiedPrincipal> {
    const accessKeyId = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1];
    const principal = accessKeyId ? this.byAccessKey.get(accessKeyId) : undefined;
    if (!accessKeyId || !principal) throw new Error('STS refused the caller proof: InvalidClientTokenId');
    const at = amzDateMs(headers['x-amz-date'] ?? '');
    if (at === undefined || Math.abs(this.now() - at) > SIGNATURE_WINDOW_MS) throw new Error('STS refused the caller proof: SignatureDoesNotMatch (Signature expired)');
    const expected = await signCallerProof({ accessKeyId, secretAccessKey: principal.secret }, region, headers[COMMAND_DIGEST_HEADER] ?? '', new Date(at));
    if (expected.authorization !== headers.authorization) throw new Error('STS refused the caller proof: SignatureDoesNotMatch');
    const account = /^arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/.exec(principal.arn)?.[1];
    if (!account) throw new Error(`simulated principal ${principal.arn} has no account`);
    return { arn: principal.arn, account };
  }
}

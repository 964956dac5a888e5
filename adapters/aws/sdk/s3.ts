// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { S3Client } from '@aws-sdk/client-s3';
import { registerClient } from '../clients';

registerClient('s3', S3Client);

// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { IAMClient } from '@aws-sdk/client-iam';
import { registerClient } from '../clients';

registerClient('iam', IAMClient);

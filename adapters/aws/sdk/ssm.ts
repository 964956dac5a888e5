// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { SSMClient } from '@aws-sdk/client-ssm';
import { registerClient } from '../clients';

registerClient('ssm', SSMClient);

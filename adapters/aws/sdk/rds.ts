// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { RDSClient } from '@aws-sdk/client-rds';
import { registerClient } from '../clients';

registerClient('rds', RDSClient);

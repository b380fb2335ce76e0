import { resourceForKind } from '../resources.js';
import { type ObjectStore } from '../store.js';

/*
 * The serviceaccounts controller: every active namespace has a ServiceAccount `default` (the account pods run as
 * when they name none).
 */

const NAMESPACES = resourceForKind('Namespace');
const SERVICE_ACCOUNTS = resourceForKind('ServiceAccount');

export function syncServiceAccounts(store: ObjectStore): void {
  for (const ns of store.list(NAMESPACES)) {
    const name = ns.metadata.name;
    if (ns.metadata.deletionTimestamp || store.get(SERVICE_ACCOUNTS, name, 'default')) continue;
    store.create(SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: name, uid: '', resourceVersion: '', creationTimestamp: '' }
    });
  }
}

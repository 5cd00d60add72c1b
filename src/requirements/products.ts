/**
 * Applications as roles (data/channels.yaml products): a rule whose selections read only providers of one
 * product (SQL Server's MSSQL…, ScreenConnect) needs that product on the host, the way a Kerberos rule needs a
 * domain controller. Without it the rule's events never occur: not-applicable where an input says so.
 */
import type { Catalog } from '../catalog/catalog.js';
import { productOfProvider } from '../catalog/channel-facts.js';
import type { SigmaRule } from '../rules/model.js';
import { positiveBranches } from './objects.js';

/** The product roles the rule's providers need; empty when it names none or also reads another provider. */
export function productRoles(rule: SigmaRule, catalog: Catalog): string[] {
  const facts = catalog.channelFacts;
  if (!facts.products.length) return [];
  const roles = new Set<string>();
  for (const branch of positiveBranches(rule)) {
    for (const { fieldLower: field, mods, values } of branch) {
      if (field !== 'provider_name' && field !== 'provider') continue;
      const modifier = mods.filter((m) => m !== 'cased' && m !== 'all');
      if (modifier.length > 1) return [];
      for (const v of values) {
        if (typeof v !== 'string') return [];
        const p = productOfProvider(facts, v, modifier[0] ?? '');
        // A provider of no product (MsiInstaller, Application Error …): the rule is not bound to a product.
        if (!p) return [];
        roles.add(p.role);
      }
    }
  }
  return [...roles];
}

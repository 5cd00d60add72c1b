/**
 * When a catalog policy counts as on, given the registry values found for it: every value it writes
 * (policies.yaml registry: key, value, data) is there with that data. One rule for every input that shows
 * registry values — a host's .reg exports (snapshot.ts) and a GPO's registry.pol / GptTmpl.inf (gpo.ts) —
 * so that the two never disagree on what "on" means.
 */
import type { RegistrySetting } from '../catalog/types.js';

export function registryPolicyOn(found: readonly { r: Pick<RegistrySetting, 'data'>; v: { data: unknown } | undefined }[]): boolean {
  return found.every(
    ({ r, v }) =>
      v !== undefined &&
      v.data !== null &&
      (typeof v.data === 'string' || typeof v.data === 'number' || typeof v.data === 'boolean') &&
      String(v.data) === String(r.data),
  );
}

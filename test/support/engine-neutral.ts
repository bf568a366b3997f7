/**
 * Outputs of the same run on two engines, with what differs by engine on purpose left out: where the
 * payload store keeps a stored list or a Distributed Map's results (`ork_items`, `ork_results`: the
 * bucket, or locally the run's directory, and keys with the execution's id). What they hold is compared
 * through the tasks that read them.
 */
export function withoutStoreLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStoreLocations);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, inner]) => {
    if ((key === 'ork_items' || key === 'ork_results') && inner !== null && typeof inner === 'object') {
      const { bucket: _bucket, key: _key, ...rest } = inner as Record<string, unknown>;
      return [key, { ...rest, bucket: '<store>', key: '<key>' }] as const;
    }
    return [key, withoutStoreLocations(inner)] as const;
  });
  return Object.fromEntries(entries);
}

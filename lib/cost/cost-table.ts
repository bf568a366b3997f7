import type { MapKindCost, TaskCost } from './fan-out-cost.js';
import type { MapKind } from './map-kind.js';

/** The tables, in the order docs/scale.md shows them. */
const CATEGORY_ORDER = ['inline', 'distributed-STANDARD', 'distributed-EXPRESS', 'batch', 'chunk', 'workers'] as const;

function categoryKey(kind: MapKind): (typeof CATEGORY_ORDER)[number] {
  if (kind.mode === 'inline') return 'inline';
  return kind.grouping === 'single' ? (kind.children === 'EXPRESS' ? 'distributed-EXPRESS' : 'distributed-STANDARD') : kind.grouping;
}

/** The table a Map kind's figures go in (docs/scale.md, "Cost"). */
export function kindCategory(kind: MapKind): string {
  if (kind.mode === 'inline') return 'Inline Map';
  switch (kind.grouping) {
    case 'single':
      return `Distributed Map, ${kind.children ?? ''} children`;
    case 'batch':
      return 'Batched Distributed Map (`batch_size`)';
    case 'chunk':
      return 'Chunked Distributed Map (`parallel:` above 1,000)';
    case 'workers':
      return 'Distributed Map, workers per element (`foreach:` with `parallel:`)';
  }
}

/** Up to `digits` decimals, trailing zeros dropped: 1.005, 0.1, 25. */
function num(value: number, digits = 4): string {
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Cents, and a tenth of a cent where it matters (chunks: $25.125). */
function dollars(value: number): string {
  return `$${Number(value.toFixed(3)).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 3 })}`;
}

function row(cost: MapKindCost): string {
  const { ork, minimum, kind } = cost;
  const children = kind.mode === 'inline' ? '—' : (kind.children ?? '');
  const perChild = `${kind.instancesPerChild.toLocaleString('en-US')}${kind.instancesAssumed ? ' (assumed)' : ''}`;
  return [
    `\`${cost.task}\``,
    `\`${cost.mapState}\``,
    children,
    perChild,
    `${num(ork.perInstance.transitions)} / ${num(minimum.perInstance.transitions)}`,
    `${num(ork.perInstance.expressRequests)} / ${num(minimum.perInstance.expressRequests)}`,
    `${dollars(ork.usdPerMillion)} / ${dollars(minimum.usdPerMillion)}`,
    `${num(cost.ratio, 3)}`,
    `${cost.fixedTransitions}`,
  ].join(' | ');
}

/** Markdown: one table per Map kind, rows in task order. */
export function costTables(costs: readonly TaskCost[]): string {
  const groups = new Map<string, MapKindCost[]>();
  const ordered = costs.flatMap((t) => t.kinds).map((cost, index) => ({ cost, index }));
  ordered.sort((a, b) => CATEGORY_ORDER.indexOf(categoryKey(a.cost.kind)) - CATEGORY_ORDER.indexOf(categoryKey(b.cost.kind)) || a.index - b.index);
  for (const { cost } of ordered) {
    const category = kindCategory(cost.kind);
    groups.set(category, [...(groups.get(category) ?? []), cost]);
  }
  const header =
    '| task | Map state | children | instances per child | transitions / instance (Ork / ' +
    'minimum) | Express requests / instance (Ork / minimum) | $ per 1,000,000 instances (Ork / ' +
    'minimum) | Ork ÷ minimum | fixed transitions per fan-out |\n' +
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |';
  return [...groups].map(([category, rows]) => `**${category}**\n\n${header}\n${rows.map((r) => `| ${row(r)} |`).join('\n')}`).join('\n\n');
}

/** One line of a reconcile plan: what happens (or happened) to one resource, and why. */
export interface Change {
  readonly action: 'create' | 'update' | 'recreate' | 'delete' | 'unchanged' | 'kept' | 'blocked';
  /** `topic`, `subscription`, `dataset`, `table`, `view`. */
  readonly kind: string;
  /** `pmp-events`, `pmp_raw.velib_station_status_raw`. */
  readonly name: string;
  /** Fields that differ (update, recreate). */
  readonly fields?: readonly string[];
  /** Why a resource is recreated, kept or blocked. */
  readonly reason?: string;
}

const SYMBOL: Record<Change['action'], string> = {
  create: '+',
  update: '~',
  recreate: '-/+',
  delete: '-',
  unchanged: '=',
  kept: '!',
  blocked: '!',
};

/** True when applying the plan changes something. */
export function hasChanges(changes: readonly Change[]): boolean {
  return changes.some((c) => ['create', 'update', 'recreate', 'delete'].includes(c.action));
}

/** Counts per action. */
export function summarize(changes: readonly Change[]): Record<Change['action'], number> {
  const counts = {
    create: 0,
    update: 0,
    recreate: 0,
    delete: 0,
    unchanged: 0,
    kept: 0,
    blocked: 0,
  };
  for (const change of changes) counts[change.action] += 1;
  return counts;
}

/**
 * Renders a plan the way `terraform plan` / `kubectl diff` users expect: one line per resource,
 * unchanged ones folded into the summary unless `verbose`.
 */
export function formatPlan(
  changes: readonly Change[],
  options: { dryRun?: boolean; verbose?: boolean } = {},
): string {
  const lines: string[] = [];
  for (const change of changes) {
    if (change.action === 'unchanged' && !options.verbose) continue;
    const detail = [
      change.fields && change.fields.length > 0 ? `(${change.fields.join(', ')})` : '',
      change.reason ? `— ${change.reason}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    lines.push(
      `  ${SYMBOL[change.action].padEnd(3)} ${change.kind.padEnd(12)} ${change.name}${detail ? ` ${detail}` : ''}`,
    );
  }
  const c = summarize(changes);
  const verb = options.dryRun ? 'would be ' : '';
  if (!hasChanges(changes)) {
    lines.push(`no changes: ${c.unchanged} resources match the manifests`);
  } else {
    lines.push(
      `${c.create} ${verb}created, ${c.update} ${verb}updated, ${c.recreate} ${verb}recreated, ${c.delete} ${verb}deleted, ${c.unchanged} unchanged`,
    );
  }
  if (c.kept > 0) lines.push(`${c.kept} kept because they hold rows (use --prune-data to delete)`);
  if (c.blocked > 0) lines.push(`${c.blocked} blocked: see the reasons above`);
  return `${lines.join('\n')}\n`;
}

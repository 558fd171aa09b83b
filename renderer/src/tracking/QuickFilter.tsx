import { Select } from '@mantine/core';
import type { QuickFilter as Quick } from '../../../main/ipc/contract';
import type { TrackingCounts } from '../../../main/ipc/contract';
import { STATUSES } from '../../../main/rules/statuses';

export function quickToValue(q: Quick): string {
  if (q.kind === 'status') return `status:${q.status}`;
  if (q.kind === 'program') return `program:${q.programId}`;
  return 'all';
}

export function valueToQuick(value: string | null): Quick {
  if (!value || value === 'all') return { kind: 'all' };
  const [kind, rest = ''] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
  if (kind === 'status') {
    const status = STATUSES.find((s) => s === rest);
    if (status) return { kind: 'status', status };
  }
  if (kind === 'program' && Number(rest) > 0) return { kind: 'program', programId: Number(rest) };
  return { kind: 'all' };
}

/** All, the ten statuses with live counts, and every certification (searchable). */
export function QuickFilter({ value, counts, onChange }: { value: Quick; counts: TrackingCounts | null; onChange: (q: Quick) => void }) {
  const n = (x: number | undefined) => (counts ? ` (${x ?? 0})` : '');
  const data = [
    { group: 'Records', items: [{ value: 'all', label: `All${n(counts?.all)}` }] },
    { group: 'Status', items: STATUSES.map((s) => ({ value: `status:${s}`, label: `${s}${n(counts?.byStatus[s])}` })) },
    {
      group: 'Certification',
      items: (counts?.byProgram ?? []).map((p) => ({ value: `program:${p.id}`, label: `${p.name}${p.archived ? ' (archived)' : ''}${n(p.count)}` })),
    },
  ];
  return (
    <Select
      label="Quick Filter"
      aria-label="Quick Filter"
      data-testid="quick-filter"
      w={320}
      data={data}
      value={quickToValue(value)}
      onChange={(v) => onChange(valueToQuick(v))}
      searchable
      clearable
      allowDeselect={false}
      maxDropdownHeight={420}
      // Its list mounts when opened: Mantine keeps it mounted by default, and floating-ui then measures it
      // once the page mounts, a forced layout of the whole first screen (the 50 rows included) and a second render.
      comboboxProps={{ withinPortal: true, keepMounted: false }}
      nothingFoundMessage="No status or certification by that name"
    />
  );
}

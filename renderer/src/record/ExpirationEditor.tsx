import { Button, Popover, Stack, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useState } from 'react';
import { api, call, messageOf } from '../api';

/** Staff change one record's expiration date (with a reason); Expiring / Expired follow at once. */
export function ExpirationEditor({ recordId, current, onDone }: { recordId: number; current: string | null; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [date, setDate] = useState<string | null>(current);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    try {
      await call(api().records.overrideExpiration({ id: recordId, expiresOn: date, reason }));
      setOpen(false);
      onDone();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Popover opened={open} onChange={setOpen} withinPortal position="bottom-end" trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="subtle" onClick={() => setOpen((o) => !o)}>
          Change
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={280}>
          <DateInput label="New expiration date" value={date} onChange={setDate} clearable valueFormat="D MMM YYYY" popoverProps={{ withinPortal: false }} description="Empty: never expires" />
          <Textarea label="Reason" withAsterisk value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={error} />
          <Button size="xs" disabled={reason.trim() === ''} onClick={() => void save()}>
            Change expiration date
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

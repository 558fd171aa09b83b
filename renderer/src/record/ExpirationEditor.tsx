import { Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useState } from 'react';
import { api, call } from '../api';
import { PopoverForm } from '../shared/PopoverForm';

/** Staff change one record's expiration date (with a reason); Expiring / Expired follow at once. */
export function ExpirationEditor({ recordId, current, onDone }: { recordId: number; current: string | null; onDone: () => void }) {
  const [date, setDate] = useState<string | null>(current);
  const [reason, setReason] = useState('');
  return (
    <PopoverForm
      trigger="Change"
      triggerProps={{ variant: 'subtle' }}
      position="bottom-end"
      width={280}
      submitLabel="Change expiration date"
      canSubmit={reason.trim() !== ''}
      onSubmit={async () => {
        await call(api().records.overrideExpiration({ id: recordId, expiresOn: date, reason }));
        onDone();
      }}
    >
      {(error) => (
        <>
          <DateInput label="New expiration date" value={date} onChange={setDate} clearable valueFormat="D MMM YYYY" popoverProps={{ withinPortal: false }} description="Empty: never expires" />
          <Textarea label="Reason" withAsterisk value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={error} />
        </>
      )}
    </PopoverForm>
  );
}

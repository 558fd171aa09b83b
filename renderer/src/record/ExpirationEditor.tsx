import { Textarea } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../api';
import { CALENDAR_IN_POPOVER_FORM, CalendarDateInput } from '../shared/CalendarDateInput';
import { PopoverForm } from '../shared/PopoverForm';

/** Staff change one record's expiration date (with a reason); Expiring / Expired follow at once. */
export function ExpirationEditor({ recordId, current, onDone }: { recordId: number; current: string | null; onDone: () => void }) {
  const [date, setDate] = useState<string | null>(current);
  const [reason, setReason] = useState('');
  const [dateProblem, setDateProblem] = useState<string | null>(null);
  return (
    <PopoverForm
      trigger="Change"
      triggerProps={{ variant: 'subtle' }}
      position="bottom-end"
      width={280}
      submitLabel="Change expiration date"
      canSubmit={reason.trim() !== '' && dateProblem === null}
      confirmFor={date ?? ''}
      onSubmit={async (confirmExpired) => {
        await call(api().records.overrideExpiration({ id: recordId, expiresOn: date, reason, confirmExpired }));
        onDone();
      }}
    >
      {(error) => (
        <>
          <CalendarDateInput
            label="New expiration date"
            value={date}
            onChange={setDate}
            onProblem={setDateProblem}
            clearable
            popoverProps={CALENDAR_IN_POPOVER_FORM}
            description="Empty: never expires"
          />
          <Textarea label="Reason" withAsterisk value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={error} />
        </>
      )}
    </PopoverForm>
  );
}

import { Alert, Button, Popover, Stack, type ButtonProps, type PopoverProps } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ApiError, fieldMessageOf } from '../api';

/**
 * A small form behind a button (record a completion, change a date, reset a
 * password): opens, submits, shows main's refusal next to the fields, closes on success.
 * When main asks for a confirmation (code CONFIRM: "this record becomes Expired…"),
 * the form says so and submits again, confirmed, only when staff press "Yes"; any
 * change to `confirmFor` (the values the confirmation was about) asks again.
 */
export function PopoverForm(props: {
  trigger: ReactNode;
  triggerProps?: ButtonProps;
  position?: PopoverProps['position'];
  width: number;
  submitLabel: string;
  canSubmit?: boolean;
  /** The values a confirmation is about; when they change, a confirmation given no longer holds. */
  confirmFor?: string;
  onSubmit: (confirmed: boolean) => Promise<void>;
  children: (error: string | null) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ message: string; for: string | undefined } | null>(null);
  const asking = confirm !== null && confirm.for === props.confirmFor;
  const submit = async () => {
    setError(null);
    setConfirm(null);
    try {
      await props.onSubmit(asking);
      setOpen(false);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CONFIRM') setConfirm({ message: fieldMessageOf(err), for: props.confirmFor });
      else setError(fieldMessageOf(err));
    }
  };
  return (
    <Popover opened={open} onChange={setOpen} withinPortal position={props.position ?? 'left'} trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="light" {...props.triggerProps} onClick={() => setOpen((o) => !o)}>
          {props.trigger}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={props.width}>
          {props.children(error)}
          {asking && (
            <Alert color="orange" p="xs" role="alert">
              {confirm.message}
            </Alert>
          )}
          <Button size="xs" color={asking ? 'orange' : undefined} disabled={props.canSubmit === false} onClick={() => void submit()}>
            {asking ? `Yes, ${props.submitLabel.toLowerCase()}` : props.submitLabel}
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

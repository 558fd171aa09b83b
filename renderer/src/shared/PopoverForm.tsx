import { Button, Popover, Stack, type ButtonProps, type PopoverProps } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { fieldMessageOf } from '../api';
import { useSubmit } from './useSubmit';

/**
 * A small form behind a button (record a completion, change a date, reset a
 * password): opens, submits, shows main's refusal next to the fields, closes on success.
 */
export function PopoverForm(props: {
  trigger: ReactNode;
  triggerProps?: ButtonProps;
  position?: PopoverProps['position'];
  width: number;
  submitLabel: string;
  canSubmit?: boolean;
  onSubmit: () => Promise<void>;
  children: (error: string | null) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const { submit, busy, error } = useSubmit(async () => {
    await props.onSubmit();
    setOpen(false);
  }, fieldMessageOf);
  return (
    <Popover opened={open} onChange={setOpen} withinPortal position={props.position ?? 'left'} trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="light" {...props.triggerProps} onClick={() => setOpen((o) => !o)}>
          {props.trigger}
        </Button>
      </Popover.Target>
      {/* Esc inside closes this form only: Mantine's modals and drawers leave alone a key whose target carries this mark. */}
      <Popover.Dropdown onFocus={(e) => e.target.setAttribute('data-mantine-stop-propagation', 'true')}>
        <Stack gap="xs" w={props.width}>
          {props.children(error)}
          <Button size="xs" disabled={props.canSubmit === false} loading={busy} onClick={() => void submit()}>
            {props.submitLabel}
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

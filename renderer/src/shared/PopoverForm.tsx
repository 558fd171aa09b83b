import { Alert, Button, Popover, Stack, type ButtonProps, type PopoverProps } from '@mantine/core';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, fieldMessageOf } from '../api';
import { useSubmit } from './useSubmit';

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
  /** Each opening: the form starts from the stored values, not from edits left unsaved last time. */
  onOpen?: () => void;
  /** `field`: the input main's refusal is about (as main names it), so the form can say it on that field. */
  children: (error: string | null, field: string | undefined) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [errorField, setErrorField] = useState<string | undefined>(undefined);
  const [confirm, setConfirm] = useState<{ message: string; for: string | undefined } | null>(null);
  const asking = confirm !== null && confirm.for === props.confirmFor;
  const { submit, busy, error } = useSubmit(
    async () => {
      setConfirm(null);
      await props.onSubmit(asking);
      setOpen(false);
    },
    (err) => {
      setErrorField(err instanceof ApiError ? err.field : undefined);
      // Main asks to confirm (e.g. a completion after the expiration): ask here, not as an error.
      if (err instanceof ApiError && err.code === 'CONFIRM') {
        setConfirm({ message: fieldMessageOf(err), for: props.confirmFor });
        return null;
      }
      return fieldMessageOf(err);
    },
  );
  const submitButton = useRef<HTMLButtonElement>(null);
  // A busy button is disabled, and a disabled button loses focus to the page (where Esc closes the drawer
  // behind): once main has answered and the form is still open (a refusal), focus goes back to the button.
  useEffect(() => {
    if (!busy && open && document.activeElement === document.body) submitButton.current?.focus();
  }, [busy, open]);
  const toggle = () => {
    if (!open) props.onOpen?.();
    setOpen(!open);
  };
  return (
    <Popover opened={open} onChange={setOpen} withinPortal position={props.position ?? 'left'} trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="light" {...props.triggerProps} onClick={toggle}>
          {props.trigger}
        </Button>
      </Popover.Target>
      {/* Esc inside closes this form only: Mantine's modals and drawers leave alone a key whose target carries this mark. */}
      <Popover.Dropdown onFocus={(e) => e.target.setAttribute('data-mantine-stop-propagation', 'true')}>
        <Stack gap="xs" w={props.width}>
          {props.children(error, error === null ? undefined : errorField)}
          {asking && (
            <Alert color="orange" p="xs" role="alert">
              {confirm.message}
            </Alert>
          )}
          <Button
            ref={submitButton}
            size="xs"
            color={asking ? 'orange' : undefined}
            disabled={props.canSubmit === false}
            loading={busy}
            onClick={() => void submit()}
          >
            {asking ? `Yes, ${props.submitLabel.toLowerCase()}` : props.submitLabel}
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

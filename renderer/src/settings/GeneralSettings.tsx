import { Alert, Button, Card, Group, NumberInput, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { EMAIL_PLACEHOLDERS, renderExpiringEmail } from '../../../main/domain/expiring-email';
import { IDLE_LOCK_CHOICES } from '../../../main/domain/settings';
import type { Settings } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { useSession } from '../session';
import { useLoad } from '../shared/useLoad';

function transitions(by: Record<string, number>): string {
  const parts = Object.entries(by).map(([k, v]) => `${v} ${k}`);
  return parts.length ? parts.join(', ') : 'no status changes';
}

function idleLabel(minutes: number): string {
  if (minutes === 0) return 'Never';
  if (minutes % 60 === 0) return `After ${minutes / 60} hour${minutes === 60 ? '' : 's'} without use`;
  return `After ${minutes} minute${minutes === 1 ? '' : 's'} without use`;
}

/** Certification General Settings: n with a preview of its effect, the office time zone, the email text. */
export function GeneralSettings({ settings, onSaved }: { settings: Settings; onSaved: () => void }) {
  const { refresh } = useSession();
  const [n, setN] = useState<number | string>(settings.expiringDays);
  const [debouncedN] = useDebouncedValue(n, 300);
  const valid = typeof debouncedN === 'number' && Number.isInteger(debouncedN) && debouncedN >= 0 && debouncedN <= 365;
  const preview = useLoad(
    () => (valid && debouncedN !== settings.expiringDays ? call(api().settings.previewExpiringDays({ expiringDays: debouncedN })) : Promise.resolve(null)),
    [debouncedN, settings.expiringDays],
  );
  const [timeZone, setTimeZone] = useState<string | null>(settings.timeZone);
  const [idle, setIdle] = useState<string | null>(String(settings.idleLockMinutes));
  const idleChoices = [...new Set([settings.idleLockMinutes, ...IDLE_LOCK_CHOICES])]
    .sort((a, b) => a - b)
    .map((m) => ({ value: String(m), label: idleLabel(m) }));
  const [subject, setSubject] = useState(settings.expiringEmailSubject);
  const [body, setBody] = useState(settings.expiringEmailBody);
  const zones = useMemo(() => [...new Set([settings.timeZone, 'UTC', ...Intl.supportedValuesOf('timeZone')])], [settings.timeZone]);
  // A saved n (here or in another window) replaces what the box holds.
  const [savedN, setSavedN] = useState(settings.expiringDays);
  if (savedN !== settings.expiringDays) {
    setSavedN(settings.expiringDays);
    setN(settings.expiringDays);
  }

  const save = async (work: () => Promise<string>) => {
    try {
      notifications.show({ color: 'green', message: await work() });
      onSaved();
      await refresh();
    } catch (err) {
      notifications.show({ color: 'red', title: 'Not saved', message: messageOf(err) });
    }
  };
  const sample = renderExpiringEmail(
    { expiringEmailSubject: subject, expiringEmailBody: body },
    { contactName: 'Jordan Lee', certification: 'Certified Association Executive', expirationDate: '2027-03-31' },
  );

  return (
    <Stack gap="lg">
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>Send 'Certification Expiring' Emails n Days Before Expiration</Title>
          <Group align="flex-end">
            <NumberInput
              label="n (days)"
              description="Whole days, 0–365"
              min={0}
              max={365}
              allowDecimal={false}
              allowNegative={false}
              value={n}
              onChange={setN}
              w={160}
              error={typeof n === 'number' && (n < 0 || n > 365) ? 'n is a whole number of days from 0 to 365.' : null}
              data-testid="expiring-days"
            />
            <Button
              disabled={!valid || debouncedN === settings.expiringDays || n !== debouncedN}
              onClick={() =>
                void save(async () => {
                  const r = await call(api().settings.setExpiringDays({ expiringDays: Number(n) }));
                  return `n = ${n} saved: ${r.changed} records re-derived, ${r.emailsQueued} emails queued; reminders: ${r.remindersQueued} queued, ${r.remindersWithdrawn} withdrawn.`;
                })
              }
            >
              Save n
            </Button>
          </Group>
          {n === 0 && (
            <Alert color="orange" title="Expiring is off with n = 0" data-testid="n-zero-warning">
              With n = 0 no certification is ever Expiring and no 'Certification Expiring' email is queued. Certifications go straight from Active to Expired
              the day after their expiration date.
            </Alert>
          )}
          {preview.data && (
            <Alert color="blue" title={`If you save n = ${debouncedN}`} data-testid="n-preview">
              {preview.data.changed} records would change ({transitions(preview.data.byTransition)}), and {preview.data.emailsQueued} 'Certification Expiring'
              emails would be queued. Reminder emails of the certifications' schedules: {preview.data.remindersQueued} would be queued,{' '}
              {preview.data.remindersWithdrawn} withdrawn.
            </Alert>
          )}
          {preview.error && <Alert color="red">{preview.error}</Alert>}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>Office time zone</Title>
          <Text size="sm" c="dimmed">
            Dates are judged in this zone: a certification is valid through its expiration date and Expired from the next day here.
          </Text>
          <Group align="flex-end">
            <Select
              data={zones}
              value={timeZone}
              onChange={setTimeZone}
              searchable
              w={320}
              comboboxProps={{ withinPortal: true }}
              aria-label="Office time zone"
            />
            <Button
              variant="default"
              disabled={!timeZone || timeZone === settings.timeZone}
              onClick={() =>
                void save(async () => {
                  const r = await call(api().settings.setTimeZone({ timeZone: timeZone ?? '' }));
                  return `Time zone saved; ${r.changed} records re-derived.`;
                })
              }
            >
              Save time zone
            </Button>
          </Group>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>Lock the desk when idle</Title>
          <Text size="sm" c="dimmed">
            After this time without keyboard or mouse use, CertDesk covers the page and asks the same user's password; another user may sign in instead.
          </Text>
          <Group align="flex-end">
            <Select
              data={idleChoices}
              value={idle}
              onChange={setIdle}
              w={320}
              allowDeselect={false}
              comboboxProps={{ withinPortal: true }}
              aria-label="Lock the desk"
              data-testid="idle-lock"
            />
            <Button
              variant="default"
              disabled={idle === null || Number(idle) === settings.idleLockMinutes}
              onClick={() =>
                void save(async () => {
                  await call(api().settings.setIdleLock({ minutes: Number(idle) }));
                  return Number(idle) === 0 ? 'The desk never locks by itself now.' : `The desk locks ${idleLabel(Number(idle)).toLowerCase()}.`;
                })
              }
            >
              Save idle lock
            </Button>
          </Group>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>The 'Certification Expiring' email</Title>
          <Text size="sm" c="dimmed">
            Placeholders: {EMAIL_PLACEHOLDERS.join(', ')}
          </Text>
          <Group align="flex-start" grow>
            <Stack gap="xs">
              <TextInput label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
              <Textarea label="Text" autosize minRows={6} value={body} onChange={(e) => setBody(e.currentTarget.value)} />
              <Group>
                <Button
                  variant="default"
                  disabled={subject === settings.expiringEmailSubject && body === settings.expiringEmailBody}
                  onClick={() => void save(async () => (await call(api().settings.setEmailTemplate({ subject, body })), 'Email text saved.'))}
                >
                  Save email text
                </Button>
              </Group>
            </Stack>
            <Card withBorder bg="var(--mantine-color-default-hover)" data-testid="email-preview">
              <Text size="xs" c="dimmed">
                Preview
              </Text>
              <Text fw={600}>{sample.subject}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {sample.body}
              </Text>
            </Card>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}

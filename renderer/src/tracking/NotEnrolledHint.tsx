import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { ContactRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { ContactEditor } from '../record/ContactEditor';
import { useLoad } from '../shared/useLoad';

/**
 * A contact appears on the Tracking page only through a certification record.
 * When a name search finds no records, say whether the contact exists but is
 * enrolled nowhere, and offer to enroll them (the seed's "Common Pitfalls").
 */
export function NotEnrolledHint({
  search,
  onEnroll,
  onApplication,
}: {
  search: string;
  onEnroll: (contact: ContactRow) => void;
  onApplication: (contact: ContactRow) => void;
}) {
  const contacts = useLoad(() => call(api().contacts.search({ text: search })), [search]);
  const notEnrolled = (contacts.data ?? []).filter((c) => c.records === 0);
  const enrolledElsewhere = (contacts.data ?? []).filter((c) => c.records > 0);
  if (!contacts.data) return null;
  if (contacts.data.length === 0) {
    return (
      <Alert color="gray" title={`No contact matches “${search}”`} data-testid="not-enrolled-hint">
        Nobody by that name is known to CertDesk. Check the spelling, or add them with “Enroll contact”.
      </Alert>
    );
  }
  return (
    <Alert color="yellow" title={`No certification records match “${search}” here`} data-testid="not-enrolled-hint">
      <Stack gap="xs">
        {notEnrolled.map((c) => (
          <Group key={c.id} justify="space-between">
            <Text size="sm">
              <b>
                {c.first_name} {c.last_name}
              </b>{' '}
              exists ({[c.email, c.member_number].filter(Boolean).join(' · ') || 'no email or member number'}) but is not enrolled in any certification, so they
              are not on the Tracking list.
            </Text>
            <Group gap="xs" wrap="nowrap">
              {/* Enrolled nowhere, they have no record drawer: their details are corrected here. */}
              <ContactEditor key={c.updated_at} contact={c} onDone={contacts.reload} />
              <Button size="xs" variant="default" onClick={() => onApplication(c)}>
                Record application
              </Button>
              <Button size="xs" onClick={() => onEnroll(c)}>
                Enroll {c.first_name}
              </Button>
            </Group>
          </Group>
        ))}
        {enrolledElsewhere.length > 0 && (
          <Text size="sm">
            {enrolledElsewhere.map((c) => `${c.first_name} ${c.last_name}`).join(', ')} {enrolledElsewhere.length === 1 ? 'has' : 'have'} records, but not with
            the current filters: clear the Quick Filter or the Customize Filter to see them.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

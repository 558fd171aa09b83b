import { SimpleGrid, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ContactRow } from '../../../main/domain/rows';
import { api, call } from '../api';
import { PopoverForm } from '../shared/PopoverForm';

type Fields = { firstName: string; lastName: string; email: string; memberNumber: string; organization: string; phone: string };

const fieldsOf = (c: ContactRow): Fields => ({
  firstName: c.first_name,
  lastName: c.last_name,
  email: c.email,
  memberNumber: c.member_number ?? '',
  organization: c.organization,
  phone: c.phone,
});

const LABELS: Array<[keyof Fields, string]> = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['email', 'Email'],
  ['memberNumber', 'Member number'],
  ['organization', 'Organization'],
  ['phone', 'Phone'],
];

/** Staff correct a contact's name, email, member number, organization or phone; main refuses another contact's email or member number, naming them. */
export function ContactEditor({ contact, onDone }: { contact: ContactRow; onDone: () => void }) {
  const [v, setV] = useState<Fields>(() => fieldsOf(contact));
  return (
    <PopoverForm
      trigger="Edit contact"
      triggerProps={{ variant: 'subtle' }}
      position="bottom-start"
      width={420}
      submitLabel="Save contact"
      canSubmit={v.lastName.trim() !== ''}
      onOpen={() => setV(fieldsOf(contact))}
      onSubmit={async () => {
        await call(api().contacts.update({ id: contact.id, ...v, memberNumber: v.memberNumber.trim() || null }));
        onDone();
      }}
    >
      {(error, field) => (
        <>
          <SimpleGrid cols={2} spacing="xs" data-testid="contact-editor">
            {LABELS.map(([name, label]) => (
              <TextInput
                key={name}
                size="xs"
                label={label}
                withAsterisk={name === 'lastName'}
                value={v[name]}
                onChange={(e) => setV({ ...v, [name]: e.currentTarget.value })}
                // Another contact's email or member number: said on that field, naming the contact.
                error={name === field ? error : undefined}
                errorProps={{ role: 'alert' }}
              />
            ))}
          </SimpleGrid>
          {error && !LABELS.some(([name]) => name === field) && (
            <Text size="xs" c="red" role="alert">
              {error}
            </Text>
          )}
        </>
      )}
    </PopoverForm>
  );
}

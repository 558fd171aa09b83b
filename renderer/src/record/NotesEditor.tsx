import { Button, Group, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../api';
import { useSubmit } from '../shared/useSubmit';

export function NotesEditor({ recordId, notes, onDone }: { recordId: number; notes: string; onDone: () => void }) {
  const [text, setText] = useState(notes);
  const {
    submit: save,
    busy,
    error,
  } = useSubmit(async () => {
    await call(api().records.setNotes({ id: recordId, notes: text }));
    onDone();
  });
  return (
    <>
      <Textarea
        aria-label="Notes"
        autosize
        minRows={2}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        placeholder="Notes about this certification record"
        error={error}
      />
      {text !== notes && (
        <Group justify="flex-end">
          <Button size="xs" loading={busy} onClick={() => void save()}>
            Save notes
          </Button>
        </Group>
      )}
    </>
  );
}

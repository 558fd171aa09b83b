import type { UseFormReturnType } from '@mantine/form';
import { ApiError, fieldMessageOf, messageOf } from '../api';

/** Puts main's refusal next to the field it names, or returns it for a banner. */
export function showCallError<T>(form: UseFormReturnType<T>, err: unknown): string | null {
  if (err instanceof ApiError && err.field) {
    form.setFieldError(err.field, fieldMessageOf(err));
    return null;
  }
  return messageOf(err);
}

import { Suspense, useState, type ReactNode } from 'react';

/**
 * Renders its children (a lazily loaded dialog or drawer) from the first time `when` is true, and keeps
 * them mounted after, so a closing dialog still animates. Until then nothing is fetched: the first screen's
 * script stays small.
 */
export function LoadedOnUse({ when, children }: { when: boolean; children: ReactNode }) {
  const [used, setUsed] = useState(when);
  if (when && !used) setUsed(true);
  return used || when ? <Suspense fallback={null}>{children}</Suspense> : null;
}

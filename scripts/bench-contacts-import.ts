/**
 * The benchmark's "import 100,000 contacts" file (issue #17): new contacts with member numbers of their
 * own (IMP<run>-…), so every row of a first run is new; a reused database finds them unchanged.
 */

/** A CSV of `n` new contacts (member numbers of their own, so every row is new). */
export function contactsCsv(n: number, run: number): string {
  const lines = ['First Name,Last Name,Email,Member Number,Organization,Phone'];
  const first = ['Avery', 'Jordan', 'Maria', 'Chen', 'Fatima', 'Lukas', 'Zoë', 'Sipho', 'Ana', 'Kenji'];
  const last = ['Nakamura', 'Okafor', 'Lindqvist', 'García', 'Moreau', 'Kowalski', 'Haddad', 'Silva', "O'Neill", 'Petrov'];
  for (let i = 0; i < n; i++) {
    const f = first[i % first.length] ?? 'Avery';
    const l = `${last[Math.floor(i / first.length) % last.length] ?? 'Silva'}${i % 7 === 0 ? '-Smith' : ''}`;
    // The email's local part in ASCII (Zoë → zoe): the import refuses addresses beyond ASCII.
    const local = f.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    lines.push(
      `${f},${l},${local}.${i}.${run}@example.org,IMP${run}-${String(i).padStart(6, '0')},"Regional Health Partners, Unit ${i % 40}",555-${String(i % 10_000).padStart(4, '0')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** How typed search words meet stored search keys: one folding for both sides. */

/** Nonspacing marks (accents, the dot of İ, cedillas) after decomposition. */
const MARKS = /\p{Mn}/gu;

/**
 * Folds text for searching and sorting, the same for stored keys (names,
 * emails, organizations, member numbers) and for the words staff type:
 * compatibility decomposition (NFKD: "ﬁ" → "fi", full-width "１" → "1"),
 * without nonspacing marks ("é" → "e", "İ" → "I"), Unicode case folding, single
 * spaces. Case folding is upper- then lower-casing, locale-free: "ß" → "ss",
 * final "ς" → "σ", and the dotless "ı" → "I" → "i", so "ismail", "ısmaıl" and
 * "İsmail" all meet (Turkish staff type either; a search that misses is worse
 * than one that finds a near name). Decomposing again after the case mapping
 * catches marks it adds (ǰ → J̌). Spacing marks (Devanagari vowel signs) stay:
 * they are letters of their words, not accents.
 *
 * Changing this folding changes every stored key: add a migration that
 * rebuilds them (as 009 does).
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toUpperCase().toLowerCase().normalize('NFKD').replace(MARKS, '').replace(/\s+/g, ' ').trim();
}

/** The words of a name search, folded as name keys are. */
export function searchWords(text: string): string[] {
  return foldForSearch(text)
    .split(' ')
    .filter((w) => w !== '');
}

/** LIKE treats % and _ as wildcards; a search for them means the characters themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

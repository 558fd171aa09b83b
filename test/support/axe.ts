/**
 * axe-core on the page as it is (Debian Chromium, @axe-core/playwright): the serious and critical
 * findings, described. A combobox's option list scrolls but is driven from its input (the ARIA
 * combobox pattern), so axe's wish that the scroller itself take focus is left out there.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The rules a colour scheme can change: the dark scheme swaps CSS colour variables and nothing else. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * An AxeBuilder on the page in legacy mode: axe.run in the page itself. The default (axe.runPartial in each
 * frame, then axe.finishRun in a blank page the builder opens and injects axe into, on every run) finds the
 * same on our pages, which have no frames, at about twice the time (tracking list, two busy cores: 13-18 s
 * against 5-10 s a run).
 */
export function axeOn(page: Page): AxeBuilder {
  return new AxeBuilder({ page }).setLegacyMode(true);
}

/** `scheme` dark: only the colour rules (a full axe run costs seconds per screen on two cores). */
export async function seriousAxeFindings(page: Page, scheme: 'light' | 'dark' = 'light'): Promise<string[]> {
  // Mantine's transitions (modals, drawers, pop-overs) end before axe reads colours.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  const builder = axeOn(page);
  const { violations } = await (scheme === 'dark' ? builder.withRules(COLOUR_RULES) : builder).analyze();
  const problems: string[] = [];
  for (const v of violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    const nodes = [];
    for (const n of v.nodes) {
      const inListbox = await page.evaluate((sel) => Boolean(document.querySelector(sel)?.closest('[role=listbox]')), n.target.join(' '));
      if (!(v.id === 'scrollable-region-focusable' && inListbox)) nodes.push(n);
    }
    if (nodes.length)
      problems.push(`${v.id} (${v.impact}, ${nodes.length}×): ${v.help} — e.g. ${nodes[0]?.target.join(' ')}: ${nodes[0]?.failureSummary ?? ''}`);
  }
  return problems;
}

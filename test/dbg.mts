import AxeBuilder from '@axe-core/playwright';
import { launchChromium, startHarness } from './support/harness';
const harness = await startHarness({ demo: true, as: 'admin' });
const browser = await launchChromium();
const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await ctx.newPage();
page.setDefaultTimeout(20000);
const audit = async (name: string) => {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  const r = await new AxeBuilder({ page }).analyze();
  for (const v of r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
    for (const n of v.nodes.slice(0, 4)) console.log(name, v.id, n.target.join(' '), (n.failureSummary ?? '').split('\n').slice(1).join(' | ').slice(0, 200));
  console.log(name, 'done');
};
for (const scheme of ['light'] as const) {
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(harness.url);
  await page.waitForSelector('[data-record-id]');
  await audit(`tracking ${scheme}`);
  await page.getByRole('combobox', { name: 'Quick Filter' }).click();
  await page.getByRole('listbox').waitFor();
  await audit(`quick ${scheme}`);
  await page.keyboard.press('Escape');
  if (scheme === 'light') {
    await page.getByTestId('customize-filter').click();
    await page.getByRole('button', { name: '+ Condition' }).first().click();
    await audit('customize');
    await page.keyboard.press('Escape');
  }
  await page.goto(`${harness.url}/#settings`);
  for (const tab of [] as string[]) {
    await page.getByRole('tab', { name: tab }).click();
    await page.getByRole('tabpanel').waitFor();
    await audit(`${tab} ${scheme}`);
  }
}
await browser.close();
await harness.stop();

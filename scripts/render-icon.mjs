// Renders build/icon.svg to build/icon.png (512x512) with Debian Chromium: node scripts/render-icon.mjs
import { chromium } from 'playwright-core';
import fs from 'node:fs';
const svg = fs.readFileSync('build/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.screenshot({ path: 'build/icon.png', omitBackground: true, clip: { x: 0, y: 0, width: 512, height: 512 } });
await browser.close();

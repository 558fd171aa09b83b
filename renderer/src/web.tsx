/** The browser harness (`npm run web`): its API first (web-api.ts), then the app. */
import './web-api';
import { boot } from './boot';

boot();

// Electron: the preload has already installed window.certdesk.
import { boot } from './boot';

boot();

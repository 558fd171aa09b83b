import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import '@mantine/dates/styles.css';
import '@mantine/notifications/styles.css';
import 'mantine-datatable/styles.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { prefetchFirstScreen } from './firstScreen';

export function boot(): void {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  // Before React mounts: main answers while the app renders its first frames.
  prefetchFirstScreen();
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
